import { EntityManager } from '@mikro-orm/postgresql';
import type { ExternalResult } from '@app/providers';
import type { ScoreStatus } from '@app/persistence';

/** Finalized = submitted, graded `GRADED`, and every question answered (none skipped). */
export function isFinal(r: ExternalResult): boolean {
  return r.submitted && r.graded && r.questions.length > 0 && r.questions.every((q) => !q.skipped);
}

function scoreStatusOf(r: ExternalResult): ScoreStatus {
  if (isFinal(r)) return 'fully graded';
  if (!r.submitted) return 'not submitted';
  return r.graded ? 'partially graded' : 'submitted';
}

/**
 * Stores a pulled result: the attempt's score and status, and one child line item + result per question
 * (ids derived from the parents, so a re-import updates instead of duplicating). One transaction.
 */
export async function storeImportedResult(
  em: EntityManager,
  target: { resultSourcedId: string; lineItemSourcedId: string; studentSourcedId: string; attempt: number },
  r: ExternalResult,
): Promise<void> {
  const correct = r.questions.filter((q) => q.correct).length;
  const questions = r.questions.map((q, i) => ({
    li: `${target.lineItemSourcedId}-q${i + 1}`,
    res: `${target.resultSourcedId}-q${i + 1}`,
    title: `Question ${i + 1}`,
    score: q.score,
    status: q.skipped ? 'not submitted' : r.graded ? 'fully graded' : 'submitted',
    meta: JSON.stringify({ questionId: q.questionId, maxScore: q.maxScore, correct: q.correct, skipped: q.skipped }),
  }));
  await em.transactional(async (tx) => {
    const conn = tx.getConnection();
    const ctx = tx.getTransactionContext();
    await conn.execute(
      `update assessment_results
       set score = ?, score_status = ?, score_date = coalesce(?, score_date), date_last_modified = now(),
           metadata = coalesce(metadata, '{}'::jsonb) || ?::jsonb
       where sourced_id = ? and finalized_at is null
         -- a slower import that read an older state never undoes a fully graded result (finalization reads it next)
         and (score_status <> 'fully graded' or ? = 'fully graded')`,
      [
        r.score,
        scoreStatusOf(r),
        r.completedAt ?? null,
        JSON.stringify({ totalQuestions: r.totalQuestions, correctQuestions: correct, accuracy: r.score ?? 0, importedAt: new Date().toISOString() }),
        target.resultSourcedId,
        scoreStatusOf(r),
      ],
      'run',
      ctx,
    );
    if (questions.length === 0) return;
    await conn.execute(
      `insert into assessment_line_items (sourced_id, title, parent_sourced_id, result_value_min, metadata)
       select q.li, q.title, ?, 0, jsonb_build_object('question', true) from jsonb_to_recordset(?::jsonb) q(li text, title text)
       on conflict (sourced_id) do nothing`,
      [target.lineItemSourcedId, JSON.stringify(questions)],
      'run',
      ctx,
    );
    await conn.execute(
      `insert into assessment_results (sourced_id, line_item_sourced_id, student_sourced_id, attempt, score, score_status, metadata)
       select q.res, q.li, ?, ?, q.score, q.status, q.meta::jsonb
       from jsonb_to_recordset(?::jsonb) q(res text, li text, score float8, status text, meta text)
       on conflict (sourced_id) do update set score = excluded.score, score_status = excluded.score_status,
         metadata = excluded.metadata, date_last_modified = now()`,
      [target.studentSourcedId, target.attempt, JSON.stringify(questions)],
      'run',
      ctx,
    );
  });
}
