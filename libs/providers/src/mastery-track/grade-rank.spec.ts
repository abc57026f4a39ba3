import { gradeRank } from './grade-rank';

describe('gradeRank', () => {
  it.each([
    ['K', 0],
    ['KG', 0],
    ['kg', 0],
    ['01', 1],
    ['03', 3],
    ['3', 3],
    [' 7 ', 7],
    ['12', 12],
  ])('maps %j to %i', (grade, rank) => {
    expect(gradeRank(grade)).toBe(rank);
  });

  it.each(['13', '-1', '3.5', 'Third', 'Third Grade', 'PK'])('rejects %j', (grade) => {
    expect(gradeRank(grade)).toBeUndefined();
  });

  it('has no rank without a grade', () => {
    expect(gradeRank(undefined)).toBeUndefined();
  });

  // Number('') is 0: a blank grade must not become Kindergarten.
  it.each(['', '   '])('rejects the blank grade %j', (grade) => {
    expect(gradeRank(grade)).toBeUndefined();
  });
});
