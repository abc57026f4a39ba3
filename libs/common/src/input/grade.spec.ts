import { canonicalGrade } from './grade';

describe('canonicalGrade', () => {
  it.each([
    ['4', '4'],
    ['04', '4'],
    [' 05 ', '5'],
    ['00', '0'],
    ['12', '12'],
    ['000000000000000000012345678901234567890', '12345678901234567890'],
    ['K', 'K'],
    ['kg', 'K'],
    [' Kg ', 'K'],
    ['PK', 'PK'],
    [' Other ', 'Other'],
    ['3.5', '3.5'],
    ['-1', '-1'],
  ])('%j → %j', (grade, canonical) => expect(canonicalGrade(grade)).toBe(canonical));
});
