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
}

export const isObjectId = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{24}$/i.test(v);
