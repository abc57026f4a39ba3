import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '@app/common';
import { AssessmentResult, ScoreStatus } from '@app/persistence';

/** How far along a result is; writes never move it back. */
const PROGRESS: Record<ScoreStatus, number> = {
  'not submitted': 0,
  submitted: 1,
  'partially graded': 2,
  'fully graded': 3,
  exempt: 3,
};

/** Metadata the assignment flow owns: a write-back that omits (or rewrites) them does not change them. */
const ASSIGNMENT_KEYS = [
  'attempt',
  'toolProvider',
  'lessonType',
  'applicationName',
  'assignmentId',
  'classId',
  'testId',
  'requestedTestId',
  'testUrl',
  'skipCourseEnrollment',
  'assignedAt',
  'finalized',
  'enrollment',
  'enrollmentFailed',
] as const;

/**
 * Results written through OneRoster (including MasteryTrack's write-back, ARCHITECTURE.md §6):
 * - a new result gets metadata.attempt, or the next attempt of (line item, student);
 * - an existing result must stay the same student and line item (422 otherwise);
 * - it only moves forward: a finalized or `fully graded` result is never downgraded, and a delivery behind the
 *   stored progress is a no-op that still answers success;
 * - the assignment metadata we stored survives whatever metadata the write carries.
 */
export async function prepareResult(em: EntityManager, data: Record<string, unknown>, existing: AssessmentResult | null) {
  const incoming = (data.metadata ?? {}) as Record<string, unknown>;
  if (!existing) {
    const given = incoming.attempt;
    let attempt = Number.isInteger(given) && (given as number) >= 1 && (given as number) <= 10_000 ? (given as number) : undefined;
    if (attempt === undefined) {
      const [row] = await em
        .getConnection()
        .execute<{ n: number }[]>(
          'select coalesce(max(attempt), 0)::int + 1 n from assessment_results where line_item_sourced_id = ? and student_sourced_id = ?',
          [data.lineItemSourcedId, data.studentSourcedId],
        );
      attempt = row.n;
    }
    return { ...data, attempt, metadata: { ...incoming, attempt } };
  }
  if (data.studentSourcedId !== existing.studentSourcedId || data.lineItemSourcedId !== existing.lineItemSourcedId) {
    throw AppError.unprocessable(
      `Result '${existing.sourcedId}' belongs to student '${existing.studentSourcedId}' and line item '${existing.lineItemSourcedId}'`,
      'assessmentResult.student',
    );
  }
  const behind = PROGRESS[data.scoreStatus as ScoreStatus] < PROGRESS[existing.scoreStatus];
  if (existing.finalizedAt || behind) return undefined;
  const stored = existing.metadata ?? {};
  const kept = Object.fromEntries(ASSIGNMENT_KEYS.filter((k) => k in stored).map((k) => [k, stored[k]]));
  return { ...data, attempt: existing.attempt, metadata: { ...stored, ...incoming, ...kept, attempt: existing.attempt } };
}
