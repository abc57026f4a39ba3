import { isPlainObject } from '../body';
import type { EdulasticSandboxTest } from './options';
import type { GradingStatus, QuestionActivity, TestActivity } from './store';

export interface Answer {
  score: number;
  maxScore: number;
}

/** Skipped questions are worth one point, like the default Edulastic item. */
const SKIPPED_MAX_SCORE = 1;

/** Stable per-test question ids (24 hex) so repeated polls report the same `qid`s. */
export function questionId(testId: string, index: number): string {
  return testId.slice(0, 16) + index.toString(16).padStart(8, '0');
}

/** `answers` entries are `{score, maxScore}` or null (skipped); returns an error message when malformed. */
export function parseAnswers(raw: unknown, test: EdulasticSandboxTest): (Answer | null)[] | string {
  if (!Array.isArray(raw)) return 'answers is required';
  if (raw.length > test.questionCount)
    return `answers has more entries than the test has questions (${test.questionCount})`;
  const answers: (Answer | null)[] = [];
  for (const [i, a] of raw.entries()) {
    if (a === null) {
      answers.push(null);
      continue;
    }
    const valid =
      isPlainObject(a) &&
      typeof a.score === 'number' &&
      typeof a.maxScore === 'number' &&
      a.maxScore > 0 &&
      a.score >= 0 &&
      a.score <= a.maxScore;
    if (!valid) return `answers[${i}] must be {score, maxScore} with 0 <= score <= maxScore and maxScore > 0`;
    answers.push({ score: a.score as number, maxScore: a.maxScore as number });
  }
  return answers;
}

export interface Submission {
  activityId: string;
  userId: string;
  assignmentId: string;
  groupId: string;
  test: EdulasticSandboxTest;
  answers: (Answer | null)[];
  graded: GradingStatus;
  /** When the student submitted (epoch ms). */
  endDate: number;
}

/** A submitted (status 1) attempt: one question activity per test question; missing answers are skipped. */
export function submittedActivity(s: Submission): TestActivity {
  const questions: QuestionActivity[] = Array.from({ length: s.test.questionCount }, (_, i) => {
    const answer = s.answers[i] ?? null;
    return {
      testActivityId: s.activityId,
      userId: s.userId,
      qid: questionId(s.test.id, i),
      score: answer?.score ?? 0,
      maxScore: answer?.maxScore ?? SKIPPED_MAX_SCORE,
      correct: answer !== null && answer.score === answer.maxScore,
      skipped: answer === null,
      graded: s.graded === 'GRADED',
    };
  });
  return {
    _id: s.activityId,
    userId: s.userId,
    assignmentId: s.assignmentId,
    groupId: s.groupId,
    testId: s.test.id,
    status: 1,
    graded: s.graded,
    score: questions.reduce((sum, q) => sum + q.score, 0),
    maxScore: questions.reduce((sum, q) => sum + q.maxScore, 0),
    endDate: s.endDate,
    questions,
  };
}
