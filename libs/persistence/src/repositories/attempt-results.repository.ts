import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { runPrepared } from '../prepared-statement';
import type { ScoreStatus } from '../entities/assessment-result.entity';
import type { ToolAssignmentRequest } from '../entities/tool-assignment.entity';

/** A result pulled from a tool: the attempt's score and one child result per question. */
export interface PulledResult {
  /**
   * When the import asked the tool (before its call; the database's clock, LessonContext.readAt): what orders two
   * imports of one attempt (storePulled).
   */
  readAt: Date;
  score: number | null;
  scoreStatus: ScoreStatus;
  scoreDate: Date | null;
  /** The tool graded a submission it will not change, yet not a final one (AssessmentResult.closedAt). */
  closed: boolean;
  metadata: Record<string, unknown>;
  questions: {
    questionId: string;
    score: number;
    maxScore: number;
    correct: boolean;
    skipped: boolean;
    scoreStatus: ScoreStatus;
  }[];
}

/** What finalization decides the enrollment from: the attempt, its lesson and its student, as stored. */
export interface AttemptContext {
  studentSourcedId: string;
  score: number | null;
  /** Final already: finalization would change nothing. */
  finalized: boolean;
  /**
   * The tool asked for the attempt's assignment; before any was, the one its result was made for (the lesson's tool
   * then; null if neither is known).
   */
  tool: string | null;
  request: ToolAssignmentRequest;
  lessonType: string | null;
  componentResourceMetadata: Record<string, unknown> | null;
  resourceMetadata: Record<string, unknown> | null;
  studentPrimaryOrg: string | null;
}

/**
 * The attempt context of a result as one jsonb value (null when the result is not the flow's attempt); `?` is the
 * result's sourcedId. A select of its own, so the gradebook can run it beside a write's row lock (ResultEvents).
 */
export const ATTEMPT_CONTEXT_SQL = `select jsonb_build_object(
    'studentSourcedId', ar.student_sourced_id, 'score', ar.score, 'finalized', ar.finalized_at is not null,
    'tool', coalesce(ta.tool, ar.metadata->>'toolProvider'), 'request', coalesce(ta.request, '{}'::jsonb), 'lessonType', cr.lesson_type,
    'componentResourceMetadata', cr.metadata,
    'resourceMetadata', r.metadata, 'studentPrimaryOrg', u.primary_org_sourced_id)
  from assessment_results ar
  join tool_assignments ta on ta.result_sourced_id = ar.sourced_id
  left join component_resources cr on cr.sourced_id = ta.lesson_sourced_id
  left join resources r on r.sourced_id = cr.resource_sourced_id
  left join users u on u.sourced_id = ar.student_sourced_id
  where ar.sourced_id = ? limit 1`;

/** One question of an imported attempt, as stored. */
export interface StoredQuestion {
  questionId: string;
  title: string;
  score: number;
  correct: boolean;
  skipped: boolean;
}

/** Scores and finalization of the flow's attempts (assessment_results). Callers run these in one transaction. */
@Injectable()
export class AttemptResultsRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Stores a pulled result on the attempt and its questions (child line items and results with ids derived from
   * the attempt's, so a re-import updates instead of duplicating). A finalized attempt is left alone, and so is a
   * `fully graded` one unless this read is fully graded too. Otherwise the import that asked the tool last wins
   * (`readAt`, kept as metadata.toolReadAt), whatever its status: the tool's state may go back (a regrade, a
   * resubmission), but two imports of one attempt can overlap, and the slower answer is often the older state (it was
   * read first). Such an answer changes nothing, neither the score nor the questions, which always come from the
   * same read as the score (a question an earlier read had and this one has not is retired). The row lock orders
   * them: the second waits for the first's transaction and then weighs itself against what that one stored.
   * `stored`: whether this read is now the attempt's; `finalized`: whether the attempt was final before it. A read
   * that closes the attempt (`closed`) closes it for good, stored or not: a next attempt may have started on the
   * strength of it.
   */
  async storePulled(
    target: { resultSourcedId: string; lineItemSourcedId: string; studentSourcedId: string; attempt: number },
    r: PulledResult,
  ): Promise<{ stored: boolean; finalized: boolean }> {
    // ISO 8601 in UTC, always 24 characters: compared as text, in time order.
    const toolReadAt = r.readAt.toISOString();
    const [row] = await runPrepared<{ n: number; finalized: boolean }>(
      this.em,
      `with u as (
         update assessment_results
         set score = ?, score_status = ?, score_date = coalesce(?, score_date), date_last_modified = now(),
             closed_at = coalesce(closed_at, case when ?::boolean then now() end),
             metadata = coalesce(metadata, '{}'::jsonb) || ?::jsonb
         where sourced_id = ? and finalized_at is null and (score_status <> 'fully graded' or ? = 'fully graded')
           and coalesce(metadata->>'toolReadAt', '') <= ?
         returning 1
       ) select (select count(*)::int from u) n,
                exists (select 1 from assessment_results where sourced_id = ? and finalized_at is not null) finalized`,
      [
        r.score,
        r.scoreStatus,
        r.scoreDate,
        r.closed,
        JSON.stringify({ ...r.metadata, toolReadAt }),
        target.resultSourcedId,
        r.scoreStatus,
        toolReadAt,
        target.resultSourcedId,
      ],
    );
    if (row.n === 0) {
      // A read not stored still closes the attempt: what the gradebook holds (a `fully graded` another writer put, a
      // later read) does not change that the tool took the student's only submission.
      if (r.closed && !row.finalized)
        await runPrepared(
          this.em,
          `update assessment_results set closed_at = now(), date_last_modified = now()
           where sourced_id = ? and closed_at is null and finalized_at is null`,
          [target.resultSourcedId],
        );
      return { stored: false, finalized: row.finalized };
    }
    const questions = r.questions.map((q, i) => ({
      li: `${target.lineItemSourcedId}-q${i + 1}`,
      res: `${target.resultSourcedId}-q${i + 1}`,
      title: `Question ${i + 1}`,
      max: q.maxScore,
      score: q.score,
      status: q.scoreStatus,
      meta: JSON.stringify({ questionId: q.questionId, maxScore: q.maxScore, correct: q.correct, skipped: q.skipped }),
    }));
    if (questions.length > 0) {
      // A question's line item is made by the lesson's first import. A later read may give the question more points
      // (the test was edited): its range grows, so every result stored under it stays within it (a result outside
      // its line item's range would be refused if written back as it reads). Only a growing row is locked.
      await runPrepared(
        this.em,
        `with q as (select * from jsonb_to_recordset(?::jsonb) q(li text, title text, max float8)),
         grown as (
           update assessment_line_items li set result_value_max = q.max, date_last_modified = now()
           from q where li.sourced_id = q.li and li.result_value_max < q.max
         )
         insert into assessment_line_items (sourced_id, title, parent_sourced_id, result_value_min, result_value_max, metadata)
         select q.li, q.title, ?, 0, q.max, jsonb_build_object('question', true) from q
         on conflict (sourced_id) do nothing`,
        [JSON.stringify(questions), target.lineItemSourcedId],
      );
    }
    // This read's questions, and none an earlier read stored beyond them (retired: OneRoster deletes are soft).
    await runPrepared(
      this.em,
      `with retired as (
         update assessment_results set status = 'tobedeleted', date_last_modified = now()
         where line_item_sourced_id in (select sourced_id from assessment_line_items where parent_sourced_id = ?)
           and student_sourced_id = ? and attempt = ? and status = 'active'
           and not (sourced_id = any (select q.res from jsonb_to_recordset(?::jsonb) q(res text)))
       )
       insert into assessment_results (sourced_id, line_item_sourced_id, student_sourced_id, attempt, score, score_status, metadata)
       select q.res, q.li, ?, ?, q.score, q.status, q.meta::jsonb
       from jsonb_to_recordset(?::jsonb) q(res text, li text, score float8, status text, meta text)
       on conflict (sourced_id) do update set score = excluded.score, score_status = excluded.score_status,
         metadata = excluded.metadata, status = 'active', date_last_modified = now()`,
      [
        target.lineItemSourcedId,
        target.studentSourcedId,
        target.attempt,
        JSON.stringify(questions),
        target.studentSourcedId,
        target.attempt,
        JSON.stringify(questions),
      ],
    );
    return { stored: true, finalized: row.finalized };
  }

  /**
   * The questions an import stored for an attempt (storePulled: a child line item per question of the attempt's line
   * item, a result per student and attempt), in the test's order.
   */
  async questions(a: {
    lineItemSourcedId: string;
    studentSourcedId: string;
    attempt: number;
  }): Promise<StoredQuestion[]> {
    const rows = await runPrepared<{
      li: string;
      title: string;
      score: number | null;
      metadata: Record<string, unknown> | null;
    }>(
      this.em,
      `select li.sourced_id li, li.title, r.score, r.metadata
       from assessment_line_items li join assessment_results r on r.line_item_sourced_id = li.sourced_id
       where li.parent_sourced_id = ? and r.student_sourced_id = ? and r.attempt = ? and r.status = 'active'`,
      [a.lineItemSourcedId, a.studentSourcedId, a.attempt],
    );
    const position = (li: string) => Number(/-q(\d+)$/.exec(li)?.[1] ?? Number.MAX_SAFE_INTEGER);
    return rows
      .sort((x, y) => position(x.li) - position(y.li))
      .map((r) => ({
        questionId: typeof r.metadata?.questionId === 'string' ? r.metadata.questionId : r.li,
        title: r.title,
        score: r.score ?? 0,
        correct: r.metadata?.correct === true,
        skipped: r.metadata?.skipped === true,
      }));
  }

  /** The attempt context of a result (ATTEMPT_CONTEXT_SQL), or undefined when the result is not the flow's attempt. */
  async attemptContext(resultSourcedId: string): Promise<AttemptContext | undefined> {
    const [row] = await runPrepared<{ context: AttemptContext | null }>(
      this.em,
      `select (${ATTEMPT_CONTEXT_SQL}) context`,
      [resultSourcedId],
    );
    return row?.context ?? undefined;
  }

  /** PowerPath resetAttempt for external tests: only the score goes back to 0. */
  async resetScore(resultSourcedId: string): Promise<void> {
    await runPrepared(
      this.em,
      'update assessment_results set score = 0, date_last_modified = now() where sourced_id = ?',
      [resultSourcedId],
    );
  }
}
