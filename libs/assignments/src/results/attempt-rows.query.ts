import { EntityManager } from '@mikro-orm/postgresql';
import type { ScoreStatus } from '@app/persistence';

export interface AttemptRow {
  sourced_id: string;
  attempt: number;
  score: number | null;
  score_status: ScoreStatus;
  assignment_state: string;
  metadata: Record<string, unknown> | null;
  credentials_sealed: string | null;
  finalized_at: Date | null;
  line_item: string;
}

/** Every attempt of a student on a lesson (the lesson's top-level line item), oldest first. */
export async function readAttempts(em: EntityManager, lesson: string, student: string): Promise<AttemptRow[]> {
  return em.getConnection().execute<AttemptRow[]>(
    `select ar.sourced_id, ar.attempt, ar.score, ar.score_status, ar.assignment_state, ar.metadata,
            ar.credentials_sealed, ar.finalized_at, ar.line_item_sourced_id line_item
     from assessment_results ar
     join assessment_line_items li on li.sourced_id = ar.line_item_sourced_id and li.parent_sourced_id is null
     where li.component_resource_sourced_id = ? and ar.student_sourced_id = ?
     order by ar.attempt`,
    [lesson, student],
  );
}
