/** Edulastic wire format (design/contracts/edulastic.md). Nothing outside this folder sees it. */

export interface EduEnvelope<T> {
  result: T;
}

export interface EduError {
  message?: string;
  result?: { userId?: string };
}

export interface EduLoginResult {
  token: string;
  _id: string;
  role: string;
  districtIds?: string[];
  institutionIds?: string[];
}

export interface EduGroup {
  _id: string;
  code: string;
  name?: string;
  description?: string;
}

export interface EduAssignResponse {
  assignments: { _id: string; testId: string; class: { _id: string }[] }[];
  message?: string;
}

export interface EduTestAssignment {
  _id: string;
  class?: { _id: string }[];
  students?: string[];
}

export interface EduTestActivityResponse {
  /** Page 0: every student of the class; a later page: the students it was asked for. */
  students: { _id: string; email: string }[];
  testActivities: {
    _id: string;
    userId: string;
    status: 0 | 1 | 2;
    graded: 'GRADED' | 'IN GRADING';
    score: number;
    maxScore: number;
    endDate?: number;
  }[];
  testQuestionActivities: {
    testActivityId: string;
    userId: string;
    qid: string;
    score: number;
    maxScore: number;
    correct: boolean;
    skipped: boolean;
    graded?: boolean;
  }[];
  /** Page 0 only: the ids of the students past the first page, whose activities later pages hold (§5). */
  leftOverStudents?: string[];
}

export const isObjectId = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{24}$/i.test(v);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** Epoch milliseconds Date can hold (±8.64e15). */
const isEpochMs = (v: unknown): v is number => isNumber(v) && !Number.isNaN(new Date(v).getTime());

/**
 * What is wrong with a test-activity answer, or undefined when every entry has the contract's shape
 * (contracts/edulastic.md §5). Every student of our classes was enrolled by email, so one without is garbage too.
 */
export function testActivityProblem(a: EduTestActivityResponse): string | undefined {
  const students = a.students as unknown[];
  const activities = a.testActivities as unknown[];
  const questions = a.testQuestionActivities as unknown[];
  if (!students.every((s) => isRecord(s) && isText(s._id) && isText(s.email))) return 'a student without _id or email';
  const activityOk = (t: unknown) =>
    isRecord(t) &&
    isText(t._id) &&
    isText(t.userId) &&
    [0, 1, 2].includes(t.status as number) &&
    isText(t.graded) &&
    (t.endDate === undefined || t.endDate === null || isEpochMs(t.endDate));
  if (!activities.every(activityOk)) return 'a test activity without _id, userId, status, graded or a valid endDate';
  const questionOk = (q: unknown) =>
    isRecord(q) &&
    isText(q.testActivityId) &&
    isText(q.qid) &&
    isNumber(q.score) &&
    isNumber(q.maxScore) &&
    typeof q.correct === 'boolean' &&
    typeof q.skipped === 'boolean';
  if (!questions.every(questionOk))
    return 'a question activity without testActivityId, qid, numeric scores, correct or skipped';
  return undefined;
}
