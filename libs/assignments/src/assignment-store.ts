import { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import type { AssignmentState } from '@app/persistence';
import type { ToolClassRef, ToolLoginRef } from '@app/providers';
import { LESSON_LINE_ITEM_CTE } from './lesson-line-item.sql';

export interface ClaimInput {
  lessonSourcedId: string;
  lessonTitle: string;
  studentSourcedId: string;
  attempt: number;
  leaseSeconds: number;
  /** Metadata a new result row starts with (attempt, toolProvider…). */
  metadata: Record<string, unknown>;
}

export interface Claim {
  lineItemSourcedId: string;
  lineItemCreated: boolean;
  resultSourcedId: string;
  resultCreated: boolean;
  leaseToken: string;
}

export interface ExistingAttempt {
  sourcedId: string;
  state: AssignmentState;
  leaseSeconds: number | null;
  metadata: Record<string, unknown> | null;
  credentialsSealed: string | null;
}

export interface CompleteInput {
  claim: Claim;
  metadata: Record<string, unknown>;
  credentialsSealed: string | null;
  tool: string;
  account: string;
  lessonSourcedId: string;
  studentSourcedId: string;
  createdClass?: ToolClassRef;
  login?: ToolLoginRef & { sealed: string };
}

/**
 * The SQL of the assignment flow (ARCHITECTURE.md §5). Each step is one self-contained statement, so no
 * transaction or connection is held while the tool is called, and each step costs one round trip.
 */
export class AssignmentStore {
  constructor(private readonly em: EntityManager) {}

  /**
   * Gets or creates the lesson's line item and the (line item, student, attempt) result, and leases the
   * result to this request. Returns undefined when the row exists but is assigned or leased by another.
   */
  async claim(input: ClaimInput): Promise<Claim | undefined> {
    const leaseToken = randomUUID();
    const [row] = await this.em.getConnection().execute<
      { li_id: string; li_inserted: boolean; ar_id: string | null; ar_inserted: boolean | null }[]
    >(
      `with ${LESSON_LINE_ITEM_CTE}, claimed as (
         insert into assessment_results (sourced_id, line_item_sourced_id, student_sourced_id, attempt, score_status,
                                         assignment_state, lease_token, lease_until, metadata)
         select ?, li.sourced_id, ?, ?, 'not submitted', 'assigning', ?, now() + make_interval(secs => ?), ?::jsonb from li
         on conflict (line_item_sourced_id, student_sourced_id, attempt) do update
           set assignment_state = 'assigning', lease_token = excluded.lease_token, lease_until = excluded.lease_until,
               metadata = coalesce(assessment_results.metadata, '{}'::jsonb) || excluded.metadata
           where assessment_results.assignment_state = 'unassigned'
              or (assessment_results.assignment_state = 'assigning' and assessment_results.lease_until < now())
         returning sourced_id, (xmax = 0) inserted
       )
       select li.sourced_id li_id, li.inserted li_inserted, c.sourced_id ar_id, c.inserted ar_inserted
       from li left join claimed c on true`,
      [
        randomUUID(),
        `${input.lessonTitle} (external test)`,
        input.lessonSourcedId,
        'makeExternalTestAssignment',
        randomUUID(),
        input.studentSourcedId,
        input.attempt,
        leaseToken,
        input.leaseSeconds,
        JSON.stringify(input.metadata),
      ],
    );
    if (!row.ar_id) return undefined;
    return {
      lineItemSourcedId: row.li_id,
      lineItemCreated: row.li_inserted,
      resultSourcedId: row.ar_id,
      resultCreated: row.ar_inserted === true,
      leaseToken,
    };
  }

  async readAttempt(lessonSourcedId: string, studentSourcedId: string, attempt: number): Promise<ExistingAttempt | undefined> {
    const [row] = await this.em.getConnection().execute<
      { sourced_id: string; assignment_state: AssignmentState; lease_seconds: number | null; metadata: Record<string, unknown> | null; credentials_sealed: string | null }[]
    >(
      `select ar.sourced_id, ar.assignment_state, extract(epoch from (ar.lease_until - now()))::float8 lease_seconds,
              ar.metadata, ar.credentials_sealed
       from assessment_results ar
       join assessment_line_items li on li.sourced_id = ar.line_item_sourced_id and li.parent_sourced_id is null
       where li.component_resource_sourced_id = ? and ar.student_sourced_id = ? and ar.attempt = ?`,
      [lessonSourcedId, studentSourcedId, attempt],
    );
    return row
      ? {
          sourcedId: row.sourced_id,
          state: row.assignment_state,
          leaseSeconds: row.lease_seconds,
          metadata: row.metadata,
          credentialsSealed: row.credentials_sealed,
        }
      : undefined;
  }

  /** Stores the tool's ids and sealed credentials, remembers a new class/login; false if the lease was lost. */
  async complete(input: CompleteInput): Promise<boolean> {
    const { claim } = input;
    const rows = await this.em.getConnection().execute<{ n: number }[]>(
      `with done as (
         update assessment_results
         -- The score is not touched: a write-back may already have landed between the tool's answer and this.
         set assignment_state = 'assigned', lease_token = null, lease_until = null,
             metadata = coalesce(metadata, '{}'::jsonb) || ?::jsonb, credentials_sealed = ?,
             date_last_modified = now()
         where sourced_id = ? and lease_token = ?
         returning 1
       ), cls as (
         insert into tool_classes (tool, account, lesson_sourced_id, class_id, class_code)
         select ?, ?, ?, ?, ? where ?::boolean
         on conflict do nothing
       ), login as (
         insert into tool_logins (tool, account, student_sourced_id, external_user_id, credentials_sealed)
         select ?, ?, ?, ?, ? where ?::boolean
         on conflict (tool, account, student_sourced_id)
         do update set external_user_id = excluded.external_user_id, credentials_sealed = excluded.credentials_sealed,
                       updated_at = now()
       )
       select count(*)::int n from done`,
      [
        JSON.stringify(input.metadata),
        input.credentialsSealed,
        claim.resultSourcedId,
        claim.leaseToken,
        input.tool,
        input.account,
        input.lessonSourcedId,
        input.createdClass?.classId ?? '',
        input.createdClass?.classCode ?? null,
        input.createdClass !== undefined,
        input.tool,
        input.account,
        input.studentSourcedId,
        input.login?.externalUserId ?? '',
        input.login?.sealed ?? '',
        input.login !== undefined,
      ],
    );
    return rows[0].n === 1;
  }

  /**
   * Undoes a claim after the tool failed: rows the claim created are deleted, a row that existed goes back
   * to unassigned. Guarded by the lease token, so a request that lost its lease changes nothing. A line item
   * the claim created goes too, unless another request's result uses it by now: the line item is locked first
   * and the check runs in a fresh statement, so a concurrent claim's committed result is always seen.
   */
  async release(claim: Claim): Promise<void> {
    await this.em.transactional(async (tx) => {
      const conn = tx.getConnection();
      const ctx = tx.getTransactionContext();
      await conn.execute(
        `with del as (
           delete from assessment_results where sourced_id = ? and lease_token = ? and ?::boolean returning 1
         )
         update assessment_results set assignment_state = 'unassigned', lease_token = null, lease_until = null
         where sourced_id = ? and lease_token = ? and not ?::boolean`,
        [claim.resultSourcedId, claim.leaseToken, claim.resultCreated, claim.resultSourcedId, claim.leaseToken, claim.resultCreated],
        'run',
        ctx,
      );
      if (!(claim.lineItemCreated && claim.resultCreated)) return;
      await conn.execute('select 1 from assessment_line_items where sourced_id = ? for update', [claim.lineItemSourcedId], 'all', ctx);
      await conn.execute(
        `delete from assessment_line_items li where li.sourced_id = ?
           and not exists (select 1 from assessment_results r where r.line_item_sourced_id = li.sourced_id)`,
        [claim.lineItemSourcedId],
        'run',
        ctx,
      );
    });
  }
}
