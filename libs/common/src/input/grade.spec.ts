import { canonicalGrade } from './grade';

describe('canonicalGrade', () => {
  it.each([
    ['4', '4'],
    ['04', '4'],
    [' 05 ', '5'],
    ['00', '0'],
    ['12', '12'],
    ['000000000000000000012345678901234567890', '12345678901234567890'],
    ['K', '0'],
    ['kg', '0'],
    [' Kg ', '0'],
    ['PK', '-1'],
    ['pk', '-1'],
    ['-1', '-1'],
    ['-01', '-1'],
    ['-0', '0'],
    [' Other ', 'Other'],
    ['3.5', '3.5'],
  ])('%j → %j', (grade, canonical) => expect(canonicalGrade(grade)).toBe(canonical));
});
