import { AppError, ErrorCode } from '@external-tests/common';
import { ExternalResult } from '../external-test-provider';
import { EduTestActivityResponse, testActivityProblem } from './edulastic.wire';

/**
 * One student's result from a test-activity page. Finalized needs a submitted (status 1), GRADED activity
 * with every question answered; score = Σ question score ÷ question count, as a percentage. A malformed answer
 * is a 502 before anything is read from it, so nothing is stored.
 */
export function toExternalResult(
  activity: EduTestActivityResponse,
  student: { userId: string } | { email: string },
): ExternalResult {
  const problem = testActivityProblem(activity);
  if (problem)
    throw new AppError(ErrorCode.ToolBadResponse, `Edulastic answered a malformed test activity: ${problem}`);
  // The user the assignment was made for; by email only for an assignment recorded before the user id was.
  const userId =
    'userId' in student
      ? student.userId
      : activity.students.find((s) => s.email.toLowerCase() === student.email.toLowerCase())?._id;
  const test = userId === undefined ? undefined : activity.testActivities.find((a) => a.userId === userId);
  if (!test) return { submitted: false, graded: false, score: null, questions: [], totalQuestions: 0 };
  const questions = activity.testQuestionActivities
    .filter((q) => q.testActivityId === test._id)
    .map((q) => ({
      questionId: q.qid,
      score: q.score,
      maxScore: q.maxScore,
      correct: q.correct,
      skipped: q.skipped,
    }));
  const total = questions.length;
  const earned = questions.reduce((sum, q) => sum + (q.maxScore > 0 ? q.score / q.maxScore : 0), 0);
  return {
    submitted: test.status === 1,
    graded: test.graded === 'GRADED',
    score: total > 0 ? Math.round((earned / total) * 10_000) / 100 : null,
    questions,
    totalQuestions: total,
    completedAt: typeof test.endDate === 'number' ? new Date(test.endDate) : undefined,
  };
}
