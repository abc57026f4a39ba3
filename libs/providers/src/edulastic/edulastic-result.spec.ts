import { toExternalResult } from './edulastic-result';
import { EduTestActivityResponse } from './edulastic.wire';

const ADA = 'a'.repeat(24);
const BOB = 'b'.repeat(24);
const ADA_ACTIVITY = 'c'.repeat(24);
const BOB_ACTIVITY = 'd'.repeat(24);

type Question = EduTestActivityResponse['testQuestionActivities'][number];
const question = (
  testActivityId: string,
  qid: string,
  score: number,
  maxScore: number,
  extra: Partial<Question> = {},
): Question => ({
  testActivityId,
  userId: testActivityId === ADA_ACTIVITY ? ADA : BOB,
  qid,
  score,
  maxScore,
  correct: score === maxScore,
  skipped: false,
  ...extra,
});

function activity(overrides: Partial<EduTestActivityResponse['testActivities'][number]> = {}): EduTestActivityResponse {
  return {
    students: [
      { _id: ADA, email: 'Ada@School.test' },
      { _id: BOB, email: 'bob@school.test' },
    ],
    testActivities: [
      { _id: BOB_ACTIVITY, userId: BOB, status: 1, graded: 'GRADED', score: 0, maxScore: 2 },
      {
        _id: ADA_ACTIVITY,
        userId: ADA,
        status: 1,
        graded: 'GRADED',
        score: 3.5,
        maxScore: 5,
        endDate: 1_700_000_000_000,
        ...overrides,
      },
    ],
    testQuestionActivities: [
      question(ADA_ACTIVITY, 'q1', 1, 1),
      question(ADA_ACTIVITY, 'q2', 0.5, 1, { correct: false }), // partial credit
      question(ADA_ACTIVITY, 'q3', 1, 2, { correct: false }), // half of a 2-point question
      question(ADA_ACTIVITY, 'q4', 0, 1, { correct: false, skipped: true }),
      question(BOB_ACTIVITY, 'q1', 0, 1, { correct: false }),
      question(BOB_ACTIVITY, 'q2', 0, 1, { correct: false }),
    ],
  };
}

describe('toExternalResult (Edulastic)', () => {
  it('scores Σ(score / maxScore) ÷ question count as a percentage, partial credit included', () => {
    // (1 + 0.5 + 0.5 + 0) / 4 = 0.5
    const result = toExternalResult(activity(), { email: 'ada@school.test' });

    expect(result.score).toBe(50);
    expect(result.totalQuestions).toBe(4);
    expect(result.questions.map((q) => q.questionId)).toEqual(['q1', 'q2', 'q3', 'q4']);
    expect(result.questions[3]).toEqual({ questionId: 'q4', score: 0, maxScore: 1, correct: false, skipped: true });
  });

  it('rounds the percentage to two decimals', () => {
    const a = activity();
    a.testQuestionActivities = [
      question(ADA_ACTIVITY, 'q1', 1, 1),
      question(ADA_ACTIVITY, 'q2', 0, 1),
      question(ADA_ACTIVITY, 'q3', 0, 1),
    ];

    expect(toExternalResult(a, { email: 'ada@school.test' }).score).toBe(33.33);
  });

  it('reports a submitted, graded activity with its end date', () => {
    const result = toExternalResult(activity(), { email: 'ada@school.test' });

    expect(result).toMatchObject({ submitted: true, graded: true, completedAt: new Date(1_700_000_000_000) });
  });

  it.each([
    [{ status: 0 as const }, { submitted: false, graded: true }],
    [{ status: 2 as const }, { submitted: false, graded: true }],
    [{ graded: 'IN GRADING' as const }, { submitted: true, graded: false }],
  ])('derives the flags from %j', (overrides, flags) => {
    expect(toExternalResult(activity(overrides), { email: 'ada@school.test' })).toMatchObject(flags);
  });

  it('matches the student email case-insensitively', () => {
    expect(toExternalResult(activity(), { email: 'ADA@school.TEST' }).score).toBe(50);
  });

  it("finds the student by the user id the assignment was made for, whatever the student's email is now", () => {
    expect(toExternalResult(activity(), { userId: ADA }).score).toBe(50);
    expect(toExternalResult(activity(), { userId: 'someone-else' }).submitted).toBe(false);
  });

  it('keeps other students out of the result', () => {
    const bob = toExternalResult(activity(), { email: 'bob@school.test' });

    expect(bob.score).toBe(0);
    expect(bob.totalQuestions).toBe(2);
  });

  it('treats an unknown student (or one without an activity) as not submitted', () => {
    const empty = { submitted: false, graded: false, score: null, questions: [], totalQuestions: 0 };
    expect(toExternalResult(activity(), { email: 'nobody@school.test' })).toEqual(empty);

    const a = activity();
    a.testActivities = a.testActivities.filter((t) => t.userId !== ADA);
    expect(toExternalResult(a, { email: 'ada@school.test' })).toEqual(empty);
  });

  it('has no score while the activity has no question activities', () => {
    const a = activity();
    a.testQuestionActivities = [];

    expect(toExternalResult(a, { email: 'ada@school.test' })).toMatchObject({
      score: null,
      totalQuestions: 0,
      submitted: true,
    });
  });
});
