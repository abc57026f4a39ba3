import { canonicalGrade } from '@external-tests/common';
import type { LessonType } from '@external-tests/providers';

export const MASTERY_SCORE = 90;

export interface EnrollmentInput {
  lessonType: LessonType;
  score: number;
  subject?: string;
  grade?: string;
  courseIdOnFail?: string;
  skipCourseEnrollment: boolean;
}

/** Where a finalized attempt sends the student (ARCHITECTURE.md §6). */
export type EnrollmentDecision =
  | { kind: 'none'; reason: 'skipped' | 'unit-test' | 'test-out-not-mastered' }
  | { kind: 'course'; courseId: string; reason: 'placement-below-mastery' }
  | { kind: 'track'; subject: string; grade: string; reason: 'placed' | 'mastered' }
  | { kind: 'failed'; reason: string };

/** Next grade up: PK (-1) → 0 (K) → 1 … 12; undefined when the grade is not PK–12. */
export function nextGrade(grade: string): string | undefined {
  const g = canonicalGrade(grade);
  // Number('') is 0: only digits count as a grade number.
  const n = /^-?\d+$/.test(g) ? Number(g) : NaN;
  return Number.isInteger(n) && n >= -1 && n < 12 ? String(n + 1) : undefined;
}

/**
 * placement < 90 → courseIdOnFail, else (no fallback course) the track of (subject, grade);
 * placement ≥ 90 or test-out ≥ 90 → the track of (subject, grade + 1); test-out < 90 and unit tests never
 * enrol; skipCourseEnrollment skips everything.
 */
export function decideEnrollment(i: EnrollmentInput): EnrollmentDecision {
  if (i.skipCourseEnrollment) return { kind: 'none', reason: 'skipped' };
  if (i.lessonType === 'unit-test') return { kind: 'none', reason: 'unit-test' };
  const mastered = i.score >= MASTERY_SCORE;
  if (i.lessonType === 'test-out' && !mastered) return { kind: 'none', reason: 'test-out-not-mastered' };
  if (i.lessonType === 'placement' && !mastered && i.courseIdOnFail) {
    return { kind: 'course', courseId: i.courseIdOnFail, reason: 'placement-below-mastery' };
  }
  if (!i.subject || !i.grade) return { kind: 'failed', reason: 'the lesson has no subject and grade' };
  if (!mastered) return { kind: 'track', subject: i.subject, grade: canonicalGrade(i.grade), reason: 'placed' };
  const grade = nextGrade(i.grade);
  return grade
    ? { kind: 'track', subject: i.subject, grade, reason: 'mastered' }
    : { kind: 'failed', reason: `no grade after ${i.grade}` };
}
