import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '@external-tests/common';
import { AssessmentLineItem, AssessmentResult, runPrepared, ScoreStatus } from '@external-tests/persistence';
import { storedValues } from './stored-values';
import type { ReferencedRows } from './collection-def';
import { DEFAULT_RESULT_RANGE } from './line-item.rules';

/** How far along a result is; writes never move it back. `fully graded` is last: nothing replaces it. */
const PROGRESS: Record<ScoreStatus, number> = {
  'not submitted': 0,
  submitted: 1,
  'partially graded': 2,
  exempt: 3,
  'fully graded': 4,
};

/** Metadata the assignment flow stores when it assigns: a write-back that omits (or rewrites) them does not change them. */
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
] as const;

/**
 * What this service records about an attempt's state, never a writer: `toolReadAt`, when the import whose state is
 * stored asked the tool (what orders imports: AttemptResultsRepository.storePulled; a write setting it far ahead
 * would make every later import a no-op); `finalized`, `enrollment`, `enrollmentFailed`, which finalization writes
 * (a write bringing them made an open attempt read as final and enrolled in the gradebook); `closed`, the name
 * PowerPath's answers give an attempt that is over (from a column, not metadata: here it could only mislead).
 */
const SERVICE_KEYS = new Set(['toolReadAt', 'finalized', 'enrollment', 'enrollmentFailed', 'closed']);

/** The metadata a gradebook write brings, without the service's own keys (a stored value of one is kept). */
function writtenMetadata(data: Record<string, unknown>): Record<string, unknown> {
  const given = (data.metadata ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(given).filter(([key]) => !SERVICE_KEYS.has(key)));
}

/**
 * Results written through OneRoster (including MasteryTrack's write-back, ARCHITECTURE.md §6):
 * - a new result gets metadata.attempt, or the next attempt of (line item, student);
 * - the score lies within the line item's range (resultValueMin–Max, default 0–100), else 422;
 * - its scoreDate is at most a day ahead of this service's clock, else 422 (the date orders deliveries, below);
 * - an existing result must stay the same student and line item (422 otherwise);
 * - it only moves forward: a finalized result is never changed, nor is a deleted attempt of the assignment flow; a
 *   lower scoreStatus never replaces a higher
 *   one (`fully graded` is the highest), and at the same scoreStatus an older scoreDate does not — a late or
 *   out-of-order delivery is a no-op that still answers success (one of the same date applies: the tool's
 *   redelivery may complete what the first one said);
 * - the assignment metadata we stored survives whatever metadata the write carries, and the keys this service
 *   records about an attempt's state (SERVICE_KEYS) never come from a write.
 * Runs inside the write's transaction (`em` is its context).
 */
export async function prepareResult(
  em: EntityManager,
  data: Record<string, unknown>,
  existing: AssessmentResult | null,
  referenced: ReferencedRows,
) {
  checkScoreDate(data);
  await checkScoreRange(em, data, referenced.get(AssessmentLineItem)?.get(data.lineItemSourcedId as string));
  const incoming = writtenMetadata(data);
  if (!existing) {
    const given = incoming.attempt;
    let attempt =
      Number.isInteger(given) && (given as number) >= 1 && (given as number) <= 10_000 ? (given as number) : undefined;
    if (attempt === undefined) {
      attempt = (await lastAttempt(em, data.lineItemSourcedId as string, data.studentSourcedId as string)) + 1;
    }
    return Object.assign({}, data, { attempt, metadata: { ...incoming, attempt } });
  }
  return mergeResultWrite(data, existing);
}

/** The student's highest attempt on the line item, 0 for none. */
async function lastAttempt(em: EntityManager, lineItem: string, student: string): Promise<number> {
  const meta = em.getMetadata().get(AssessmentResult.name);
  const column = (prop: 'attempt' | 'lineItemSourcedId' | 'studentSourcedId') =>
    `"${meta.properties[prop].fieldNames[0]}"`;
  const [row] = await runPrepared<{ last: number | null }>(
    em,
    `select max(${column('attempt')}) "last" from "${meta.tableName}" ` +
      `where ${column('lineItemSourcedId')} = ? and ${column('studentSourcedId')} = ?`,
    [lineItem, student],
  );
  return row?.last ?? 0;
}

/**
 * The pure part of a write to an existing result: 422 for another student or line item; undefined (a no-op) for
 * a finalized result or a delivery that does not move it forward; else the data to store, keeping the attempt and
 * the metadata the assignment flow owns.
 */
export function mergeResultWrite(
  data: Record<string, unknown>,
  existing: Pick<
    AssessmentResult,
    | 'sourcedId'
    | 'studentSourcedId'
    | 'lineItemSourcedId'
    | 'attempt'
    | 'scoreStatus'
    | 'scoreDate'
    | 'finalizedAt'
    | 'metadata'
    | 'status'
  >,
) {
  if (data.studentSourcedId !== existing.studentSourcedId || data.lineItemSourcedId !== existing.lineItemSourcedId) {
    throw AppError.invalidData(
      `Result '${existing.sourcedId}' belongs to student '${existing.studentSourcedId}' and line item '${existing.lineItemSourcedId}'`,
      'assessmentResult.student',
    );
  }
  if (existing.finalizedAt || voidAttempt(existing) || !movesForward(data, existing)) return undefined;
  const incoming = writtenMetadata(data);
  const stored = existing.metadata ?? {};
  const kept = Object.fromEntries(ASSIGNMENT_KEYS.filter((k) => k in stored).map((k) => [k, stored[k]]));
  return Object.assign({}, data, {
    attempt: existing.attempt,
    metadata: { ...stored, ...incoming, ...kept, attempt: existing.attempt },
  });
}

/**
 * An attempt of the assignment flow (it carries the flow's metadata.toolProvider) whose result was deleted: void. The
 * next attempt has started past it, so what its tool still delivers (MasteryTrack writes back to the result it was
 * given) must neither revive it nor finalize it, and neither may another writer.
 */
function voidAttempt(existing: Pick<AssessmentResult, 'status' | 'metadata'>): boolean {
  return existing.status === 'tobedeleted' && typeof existing.metadata?.toolProvider === 'string';
}

/** A higher scoreStatus, or the same one not delivered earlier (by scoreDate). */
function movesForward(
  data: Record<string, unknown>,
  existing: Pick<AssessmentResult, 'scoreStatus' | 'scoreDate'>,
): boolean {
  const rank = PROGRESS[data.scoreStatus as ScoreStatus];
  const storedRank = PROGRESS[existing.scoreStatus];
  if (rank !== storedRank) return rank > storedRank;
  const date = data.scoreDate instanceof Date ? data.scoreDate : new Date(String(data.scoreDate));
  return date.getTime() >= existing.scoreDate.getTime();
}

/** A clock off by a time zone is forgiven; further ahead, a result is refused, not stored. */
const SCORE_DATE_AHEAD_MS = 24 * 3600_000;

/**
 * At the same status only a newer scoreDate applies, so a date far ahead would pin the result: every later delivery
 * (the tool's real one included) would be a no-op. 422 instead.
 */
function checkScoreDate(data: Record<string, unknown>): void {
  const date = data.scoreDate instanceof Date ? data.scoreDate : new Date(String(data.scoreDate));
  if (date.getTime() > Date.now() + SCORE_DATE_AHEAD_MS)
    throw AppError.invalidData(
      `scoreDate ${date.toISOString()} is more than a day ahead of this service's clock`,
      'assessmentResult.scoreDate',
    );
}

/** `lineItem`: the row the reference check read, when the body named the line item; else it is read here. */
async function checkScoreRange(
  em: EntityManager,
  data: Record<string, unknown>,
  lineItem: Record<string, unknown> | undefined,
): Promise<void> {
  if (typeof data.score !== 'number') return;
  const column = (prop: 'resultValueMin' | 'resultValueMax') =>
    em.getMetadata().get<AssessmentLineItem>(AssessmentLineItem.name).properties[prop].fieldNames[0];
  const range = lineItem
    ? {
        min: lineItem[column('resultValueMin')] as number | null,
        max: lineItem[column('resultValueMax')] as number | null,
      }
    : await storedValues(em, AssessmentLineItem, data.lineItemSourcedId as string, [
        'resultValueMin',
        'resultValueMax',
      ]).then((li) => ({ min: li?.resultValueMin, max: li?.resultValueMax }));
  const min = range.min ?? DEFAULT_RESULT_RANGE.min;
  const max = range.max ?? DEFAULT_RESULT_RANGE.max;
  if (!Number.isFinite(data.score) || data.score < min || data.score > max) {
    throw AppError.invalidData(
      `assessmentResult.score must lie within the line item's range ${min}–${max}`,
      'assessmentResult.score',
    );
  }
}
