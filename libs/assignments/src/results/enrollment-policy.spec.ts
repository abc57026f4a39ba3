import { decideEnrollment, EnrollmentInput, nextGrade } from './enrollment-policy';

const base: EnrollmentInput = {
  lessonType: 'placement',
  score: 80,
  subject: 'Math',
  grade: '4',
  skipCourseEnrollment: false,
};

describe('nextGrade', () => {
  it.each([
    ['K', '1'],
    ['kg', '1'],
    ['3', '4'],
    [' 11 ', '12'],
    ['04', '5'],
    [' Kg ', '1'],
    ['PK', '0'],
    ['-1', '0'],
  ])('%j → %j', (grade, next) => expect(nextGrade(grade)).toBe(next));

  it.each(['12', '13', '-2', 'Third Grade', '', '3.5'])('%j has no next grade', (grade) =>
    expect(nextGrade(grade)).toBeUndefined(),
  );
});

describe('decideEnrollment', () => {
  it("places below mastery in the track of the lesson's grade, spelled as tracks are (04 → 4)", () => {
    expect(decideEnrollment({ ...base, grade: ' 04 ' })).toEqual({
      kind: 'track',
      subject: 'Math',
      grade: '4',
      reason: 'placed',
    });
  });

  it('skips everything when the attempt was assigned with skipCourseEnrollment', () => {
    expect(decideEnrollment({ ...base, score: 100, skipCourseEnrollment: true })).toEqual({
      kind: 'none',
      reason: 'skipped',
    });
  });

  it('never enrols for a unit test, whatever the score', () => {
    expect(decideEnrollment({ ...base, lessonType: 'unit-test', score: 100 })).toEqual({
      kind: 'none',
      reason: 'unit-test',
    });
  });

  it('a test-out below 90 does not enrol; at 90 it places in the next grade', () => {
    expect(decideEnrollment({ ...base, lessonType: 'test-out', score: 89.99 })).toEqual({
      kind: 'none',
      reason: 'test-out-not-mastered',
    });
    expect(decideEnrollment({ ...base, lessonType: 'test-out', score: 90 })).toEqual({
      kind: 'track',
      subject: 'Math',
      grade: '5',
      reason: 'mastered',
    });
  });

  it('a placement below 90 goes to courseIdOnFail, else to the track of its own grade', () => {
    expect(decideEnrollment({ ...base, courseIdOnFail: 'remedial' })).toEqual({
      kind: 'course',
      courseId: 'remedial',
      reason: 'placement-below-mastery',
    });
    expect(decideEnrollment(base)).toEqual({ kind: 'track', subject: 'Math', grade: '4', reason: 'placed' });
  });

  it('a mastered placement goes one grade up (courseIdOnFail does not matter)', () => {
    expect(decideEnrollment({ ...base, score: 95, courseIdOnFail: 'remedial' })).toEqual({
      kind: 'track',
      subject: 'Math',
      grade: '5',
      reason: 'mastered',
    });
  });

  it('fails (recorded, not thrown) without subject and grade, or past grade 12', () => {
    expect(decideEnrollment({ ...base, subject: undefined })).toEqual({
      kind: 'failed',
      reason: 'the lesson has no subject and grade',
    });
    expect(decideEnrollment({ ...base, score: 100, grade: '12' })).toEqual({
      kind: 'failed',
      reason: 'no grade after 12',
    });
  });
});
