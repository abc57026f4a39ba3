import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { runPrepared } from '../prepared-statement';
import { randomUUID } from 'node:crypto';
import { LOGIN_EXTERNAL_UNIQUE } from '../entities/tool-login.entity';
import { LOGIN_COLUMNS, toLoginRecord, ToolLoginRecord } from './tool-object-rows';
import { OPEN_AT_TOOL, passingStaleToolUser, ToolUserHeld } from './tool-user-held';

/** The purpose of a tool login: one per (tool, account, student). */
export interface LoginPurpose {
  tool: string;
  account: string;
  studentSourcedId: string;
}

export type LoginLease =
  | { kind: 'ready'; record: ToolLoginRecord }
  | { kind: 'leased'; record: ToolLoginRecord; leaseToken: string }
  | { kind: 'busy'; record: ToolLoginRecord };

/**
 * After a login's user broke LOGIN_EXTERNAL_UNIQUE: deletes the other logins of that tool user whose students are no
 * longer the user, and that no request holds now. No longer the user: deleted (OneRoster `tobedeleted`, or gone), or
 * given another email than the one the login was made for (`tool_user`) and holding no test open at the tool on that
 * user (made for it, or before the user was recorded on assignments). Whoever adopts the user next sets it a new
 * password, so the old credentials stop working. Answers `other` (a student who still is the user has it),
 * `open_test` (one with another email keeps it for an open test) and `busy_seconds` (as FREE_STALE_TOOL_USER).
 * Placeholders: tool, account, the user's id, the asking student, then tool, account, the user's id.
 */
const FREE_STALE_LOGIN = `with logins as (
     select tl.student_sourced_id, u.sourced_id is null deleted,
            coalesce(tl.tool_user is null or lower(u.email) = tl.tool_user, false) same_email,
            exists (select 1 from tool_assignments ta
                    where ta.student_sourced_id = tl.student_sourced_id and ta.tool = tl.tool and ta.account = tl.account
                      and (ta.tool_user_id = tl.external_user_id or ta.tool_user_id is null) and ${OPEN_AT_TOOL}) open_test,
            greatest(extract(epoch from (tl.lease_until - now())), 0)::float8 lease_seconds
     from tool_logins tl left join users u on u.sourced_id = tl.student_sourced_id and u.status = 'active'
     where tl.tool = ? and tl.account = ? and tl.external_user_id = ? and tl.student_sourced_id <> ?
   ), stale as (
     select student_sourced_id, lease_seconds from logins where deleted or not (same_email or open_test)
   ), freed as (
     delete from tool_logins tl using stale
     where tl.tool = ? and tl.account = ? and tl.student_sourced_id = stale.student_sourced_id
       and tl.external_user_id = ? and (tl.lease_until is null or tl.lease_until <= now())
   )
   select exists (select 1 from logins where not deleted and same_email) other,
          exists (select 1 from logins where not deleted and not same_email and open_test) open_test,
          (select max(lease_seconds) from stale where lease_seconds > 0) busy_seconds`;

/**
 * An existing tool user is adopted only when no other active student has a test open at the tool on it (recorded
 * for that user): whatever the login rows say (the other student's own login may have moved to another user with
 * an email change), its password is not reset under that test. tool_assignments_tool_user_index serves it.
 */
const RESERVE_USER = `with open as (
     select exists (select 1 from tool_assignments ta join users u on u.sourced_id = ta.student_sourced_id and u.status = 'active'
                    where ta.tool = ? and ta.account = ? and ta.tool_user_id = ? and ta.student_sourced_id <> ?
                      and ${OPEN_AT_TOOL}) held
   ), reserved as (
     update tool_logins set external_user_id = ?, tool_user = lower(?), updated_at = now()
     where tool = ? and account = ? and student_sourced_id = ? and lease_token = ? and not (select held from open)
     returning 1
   )
   select (select held from open) held, exists (select 1 from reserved) reserved`;

/**
 * Student logins (tool_logins). The login steps of one (tool, account, student) run under a lease, so they
 * never run twice at once; the password is recorded before it is set at the tool.
 */
@Injectable()
export class ToolLoginRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Leases the login to this request: a new login is recorded with `candidateSealed` (the password about to be
   * set); a pending one whose request is gone keeps the password it recorded. A ready login is returned as is.
   * `restart` replaces a ready login's credentials with `candidateSealed` (the student's email changed). The tool user stays on the
   * row until establishing records another: while the student still takes a test with it, it is not another
   * student's to adopt (FREE_STALE_LOGIN), and once the student no longer has its email and no such test, it passes on.
   */
  async lease(p: LoginPurpose, leaseSeconds: number, candidateSealed: string, restart = false): Promise<LoginLease> {
    const token = randomUUID();
    // Always updates on conflict (keeping the row as it is unless it can be leased), so the row comes back even
    // when a concurrent request made it an instant ago: a plain select would not see it from this snapshot.
    const leasable = `(tl.state = 'pending' or ?::boolean) and (tl.lease_until is null or tl.lease_until < now())`;
    const [row] = await runPrepared<Record<string, unknown> & { mine: boolean }>(
      this.em,
      `insert into tool_logins as tl (tool, account, student_sourced_id, state, credentials_sealed, lease_token, lease_until)
       values (?, ?, ?, 'pending', ?, ?, now() + make_interval(secs => ?))
       on conflict (tool, account, student_sourced_id) do update set
         lease_token = case when ${leasable} then excluded.lease_token else tl.lease_token end,
         lease_until = case when ${leasable} then excluded.lease_until else tl.lease_until end,
         state = case when ${leasable} then 'pending' else tl.state end,
         credentials_sealed = case when ${leasable} and ?::boolean then excluded.credentials_sealed else tl.credentials_sealed end
       returning ${LOGIN_COLUMNS}, tl.lease_token = ? mine`,
      [
        p.tool,
        p.account,
        p.studentSourcedId,
        candidateSealed,
        token,
        leaseSeconds,
        // `leasable` binds `restart` once per use: four uses, and once more for the credentials.
        ...Array<boolean>(5).fill(restart),
        token,
      ],
    );
    const record = toLoginRecord(row);
    if (row.mine) return { kind: 'leased', record, leaseToken: token };
    return record.state === 'ready' ? { kind: 'ready', record } : { kind: 'busy', record };
  }

  /**
   * The tool's existing user `externalUserId` (known there by `toolUser`, the student's email) is to become this
   * login: recorded under the lease before anything is changed at the tool (its password), so a user that is another
   * student's is never taken over. Held: another active student has a test open on it (RESERVE_USER), or it is
   * another student's login (tool_logins_external_unique, so two requests adopting one user at once cannot both pass)
   * and that student is still the user (else it passes on, as a seat does: FREE_STALE_LOGIN); `lost`: the lease was.
   * `toolUser` is recorded as what the login was made for.
   */
  async reserveUser(
    p: LoginPurpose,
    leaseToken: string,
    externalUserId: string,
    toolUser: string,
  ): Promise<'reserved' | ToolUserHeld | 'lost'> {
    const held = new ToolUserHeld({ openTest: true });
    return passingStaleToolUser(
      this.em,
      LOGIN_EXTERNAL_UNIQUE,
      async () => {
        const [row] = await runPrepared<{ held: boolean; reserved: boolean }>(this.em, RESERVE_USER, [
          p.tool,
          p.account,
          externalUserId,
          p.studentSourcedId,
          externalUserId,
          toolUser,
          p.tool,
          p.account,
          p.studentSourcedId,
          leaseToken,
        ]);
        return row.held ? held : row.reserved ? ('reserved' as const) : ('lost' as const);
      },
      this.freeStale(p, externalUserId),
    );
  }

  /**
   * The tool's user id (and the credentials that work), recorded under the lease. Held: the user is another
   * student's login (made at the tool for both of two students with one email, the other recorded first).
   */
  async recordReady(
    p: LoginPurpose,
    leaseToken: string,
    externalUserId: string,
    toolUser: string,
    credentialsSealed: string,
  ): Promise<'recorded' | ToolUserHeld | 'lost'> {
    return this.setUser(
      p,
      externalUserId,
      `update tool_logins set state = 'ready', external_user_id = ?, tool_user = lower(?), credentials_sealed = ?,
              lease_token = null, lease_until = null, updated_at = now()
       where tool = ? and account = ? and student_sourced_id = ? and lease_token = ?
       returning 1 n`,
      [externalUserId, toolUser, credentialsSealed, p.tool, p.account, p.studentSourcedId, leaseToken],
      'recorded',
    );
  }

  /** One row updated: `done`; none: the lease was lost; the user id recorded for another student: held. */
  private async setUser<T extends string>(
    p: LoginPurpose,
    externalUserId: string,
    sql: string,
    params: unknown[],
    done: T,
  ): Promise<T | ToolUserHeld | 'lost'> {
    return passingStaleToolUser(
      this.em,
      LOGIN_EXTERNAL_UNIQUE,
      async () => ((await runPrepared<{ n: number }>(this.em, sql, params)).length === 1 ? done : 'lost'),
      this.freeStale(p, externalUserId),
    );
  }

  private freeStale(p: LoginPurpose, externalUserId: string): { sql: string; params: unknown[] } {
    return {
      sql: FREE_STALE_LOGIN,
      params: [p.tool, p.account, externalUserId, p.studentSourcedId, p.tool, p.account, externalUserId],
    };
  }

  async releaseLease(p: LoginPurpose, leaseToken: string): Promise<void> {
    await runPrepared(
      this.em,
      `update tool_logins set lease_token = null, lease_until = null
       where tool = ? and account = ? and student_sourced_id = ? and lease_token = ?`,
      [p.tool, p.account, p.studentSourcedId, leaseToken],
    );
  }
}
