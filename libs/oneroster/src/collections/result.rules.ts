import type { EntityManager } from '@mikro-orm/postgresql';
import { AssessmentResult } from '@app/persistence';

/**
 * Attempt numbering for results written through OneRoster: metadata.attempt when given, the stored attempt
 * for an existing row, else the next attempt of (line item, student).
 */
export async function prepareResult(em: EntityManager, data: Record<string, unknown>, existing: AssessmentResult | null) {
  const meta = (data.metadata ?? {}) as Record<string, unknown>;
  let attempt = existing?.attempt ?? (Number.isInteger(meta.attempt) ? (meta.attempt as number) : undefined);
  if (attempt === undefined) {
    const [row] = await em
      .getConnection()
      .execute<{ n: number }[]>(
        'select coalesce(max(attempt), 0)::int + 1 n from assessment_results where line_item_sourced_id = ? and student_sourced_id = ?',
        [data.lineItemSourcedId, data.studentSourcedId],
      );
    attempt = row.n;
  }
  return { ...data, attempt, metadata: { ...meta, attempt } };
}
