import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ToolAssignmentRequest, ToolAssignmentState } from '../entities/tool-assignment.entity';
import { SEAT_TOOL_USER_UNIQUE } from '../entities/tool-seat.entity';
import { runPrepared } from '../prepared-statement';
import { HOLDERS_OF_USER, OPEN_FOR_ANOTHER_STUDENT, passingStaleToolUser, ToolUserHeld } from './tool-user-held';
import { ATTEMPT_COLUMNS, ATTEMPT_FROM, AttemptRecord, AttemptRow, toAttemptRecord } from './attempt-record';

export interface ClaimInput {
  lessonSourcedId: string;
  lessonTitle: string;
  studentSourcedId: string;
  attempt: number;
  /** The lesson's recorded line item, when the caller already read it (else it is found or made here). */
  lineItemSourcedId?: string;
  tool: string;
  account: string;
  request: ToolAssignmentRequest;
  leaseSeconds: number;
  /** Metadata a new result starts with (attempt, toolProvider, lessonType). */
  resultMetadata: Record<string, unknown>;
  /** Who made the line item, kept in its metadata (`origin`). */
  origin: string;
  /**
   * The tool asks for a student's assignments one request at a time (ToolLedger.alone): a new attempt takes the
   * student's seat at (tool, account) in this statement when it is free, and is marked as calling.
   */
  seat?: boolean;
  /**
   * With `seat`: the student's email, as the tool knows them (ToolSeat.toolUser, one student's per (tool, account)).
   * Lower-cased by PostgreSQL here and in every comparison, so one `lower` decides everywhere.
   */
  toolUser: string | null;
  /**
   * With `seat`: the tool user a call of the attempt is recorded as made for when it is marked calling (lower-cased
   * here): the email, for a tool that knows students by it alone (`knowsStudentsByEmail`); null for one whose user id
   * is recorded with its answer. So a call whose answer is lost holds the email (OPEN_FOR_ANOTHER_STUDENT).
   */
  callsAs?: string | null;
  /**
   * With `seat`: the claim that takes the seat also reads the student's given tests (`Claim.givenTests`), for a tool
   * whose assign decides from them (Edulastic's held tests), instead of a statement of their own after it.
   */
  givenTests?: boolean;
}

/** A student's seat at a tool account, and the student as the tool knows them (ToolSeat). */
export interface SeatKey {
  tool: string;
  account: string;
  studentSourcedId: string;
  /** The student's email (lower-cased by the statements). */
  toolUser: string | null;
  /** As ClaimInput.callsAs: recorded on the attempt's row when the take marks it calling. */
  callsAs?: string | null;
}

/** A test a tool gave a student through us, or that an unanswered call may have made (testsOfStudent). */
export interface GivenTestRecord {
  testId: string | null;
  testTitle: string | null;
  lessonSourcedId: string;
  attempt: number;
  /** False while the tool's answer to the attempt's call is not recorded. */
  recorded: boolean;
  /** The attempt is final, closed or void. */
  done: boolean;
}

/** A leased attempt: the request holding `leaseToken` may ask the tool and record the answer. */
export interface Claim {
  resultSourcedId: string;
  lineItemSourcedId: string;
  leaseToken: string;
  /** The state before this claim: `new` (made now), `open` (nothing asked yet) or `pending` (held, or given up). */
  prior: 'new' | ToolAssignmentState;
  /** An earlier request asked the tool for this attempt and never recorded the answer. */
  priorCalled: boolean;
  /**
   * With `priorCalled`: the tool user that call was recorded as made for (ClaimInput.callsAs), when recorded. A
   * resumed call asks with it, as it replays the first call's account and request: what that call made is the
   * user's, though the student's email may be another since.
   */
  priorCallsAs: string | null;
  lineItemCreated: boolean;
  /** The tool, account and request in force: a pending attempt keeps those it was first asked with. */
  tool: string;
  account: string;
  request: ToolAssignmentRequest;
  /** The claim took the student's seat (and marked the attempt as calling): `alone` needs no statement of its own. */
  seated: boolean;
  /**
   * The student's given tests, read by the claim that took the seat (`ClaimInput.givenTests`), from the statement's
   * snapshot, which may predate the take (the statement can wait on a lock). Given only when nobody took the seat in
   * between (its generation went up by this take alone): then whoever held it before is in them, since its row was
   * `pending` and `called` from the moment it took the seat, recorded or not. Otherwise absent: read them afresh (a
   * request that took and gave back the seat after the snapshot would be missing).
   */
  givenTests?: GivenTestRecord[];
}

export interface AssignedOutcome {
  externalId: string;
  classId: string | null;
  testId: string | null;
  testTitle: string | null;
  testUrl: string;
  /** The tool's id of the student it was made for, when the tool has one (ToolAssignment.toolUserId). */
  toolUserId: string | null;
  /**
   * As ClaimInput.callsAs (the email, for a tool that knows students by it alone): recorded, lower-cased, as the tool
   * user when the tool names none (`toolUserId`), so the email is not another student's while this test is open.
   */
  callsAs: string | null;
}

/** An attempt as getAttempts lists it: with its result's scoreDate (the flow's other reads need none). */
export interface ListedAttempt extends AttemptRecord {
  /** When the tool says the student finished (a write-back's scoreDate, Edulastic's end date), for a done attempt. */
  scoreDate: Date;
}

/** Who holds a tool assignment, and which other attempts of the student may hold one we cannot see yet. */
export interface Ownership {
  /** `finished`: the owner's result is final (what its assignment writes back changes nothing any more). */
  owner?: {
    resultSourcedId: string;
    lessonSourcedId: string;
    attempt: number;
    finished: boolean;
    /** Another student's attempt: the tool's user passed on from them (an email they no longer have). */
    anotherStudent: boolean;
  };
  /** Other attempts of the student on (tool, account) that asked the tool without recording its answer. */
  unresolved: { lessonSourcedId: string; attempt: number }[];
}

/**
 * Gives a student's seat back (the holder's answer is recorded or the call let go); completed with `from … where`
 * on `holder`, which tool_seats_holder_index serves (without it, every student's seat was read).
 */
const FREE_SEAT = 'update tool_seats set lease_token = null, lease_until = null, holder = null';

/**
 * CTE `li` (sourced_id, inserted): the lesson's recorded line item (`known`), or one made and recorded now. A known
 * line item is key-share locked, so a failed first claim that deletes the line item it made waits for this statement.
 */
function lineItemCte(known: boolean): string {
  if (known)
    return `li as (select sourced_id, false inserted from assessment_line_items where sourced_id = ? for key share)`;
  return `li as (
       insert into lesson_line_items (lesson_sourced_id, line_item_sourced_id) values (?, ?)
       on conflict (lesson_sourced_id) do update set lesson_sourced_id = excluded.lesson_sourced_id
       returning line_item_sourced_id sourced_id, (xmax = 0) inserted
     ), new_li as (
       insert into assessment_line_items (sourced_id, title, component_resource_sourced_id, result_value_min, result_value_max, metadata)
       select sourced_id, ?, ?, 0, 100, jsonb_build_object('origin', ?::text) from li where inserted
     )`;
}

/** The values of lineItemCte's placeholders. */
function lineItemParams(i: {
  lineItemSourcedId?: string;
  lessonSourcedId: string;
  lessonTitle: string;
  origin: string;
}): unknown[] {
  if (i.lineItemSourcedId) return [i.lineItemSourcedId];
  return [i.lessonSourcedId, randomUUID(), `${i.lessonTitle} (external test)`, i.lessonSourcedId, i.origin];
}

/** The lease an attempt or a seat is held by: `?` is its length in seconds. */
const LEASE = 'now() + make_interval(secs => ?)';

/**
 * The student's given tests on (tool, account) as GivenTestRecord columns (snake case): every recorded assignment, and
 * every attempt that asked without recording the answer (the tool may have made it), by the test its lesson names
 * (Edulastic assigns the lesson's test whatever the request says), else its request's; one given up by reconciliation
 * holds nothing. Placeholders: student, tool, account.
 */
const GIVEN_TESTS = `select coalesce(ta.test_id, case when ta.state = 'pending'
           then coalesce(r.vendor_id, r.metadata->>'vendorId', ta.request->>'requestedTestId') end) test_id,
         ta.test_title, ta.lesson_sourced_id, ta.attempt, ta.state = 'assigned' recorded,
         (ar.finalized_at is not null or ar.closed_at is not null or ar.status <> 'active') done
       from tool_assignments ta join assessment_results ar on ar.sourced_id = ta.result_sourced_id
       left join component_resources cr on cr.sourced_id = ta.lesson_sourced_id
       left join resources r on r.sourced_id = cr.resource_sourced_id
       where ta.student_sourced_id = ? and ta.tool = ? and ta.account = ?
         and (ta.state = 'assigned' or (ta.state = 'pending' and ta.called and ta.given_up_at is null))`;

interface GivenTestRow {
  test_id: string | null;
  test_title: string | null;
  lesson_sourced_id: string;
  attempt: number;
  recorded: boolean;
  done: boolean;
}

const toGivenTest = (r: GivenTestRow): GivenTestRecord => ({
  testId: r.test_id,
  testTitle: r.test_title,
  lessonSourcedId: r.lesson_sourced_id,
  attempt: r.attempt,
  recorded: r.recorded,
  done: r.done,
});

/**
 * The claim's statement. A new attempt takes the student's seat (`seat`) when nobody holds it, before its ledger row
 * is written, so the row is marked as calling exactly when the seat is taken. A busy seat, a tool user another student
 * still has a test open on (OPEN_FOR_ANOTHER_STUDENT: takeSeat answers it), and any other attempt go through `alone`.
 */
function claimStatement(lineItemKnown: boolean, seat: boolean, givenTests: boolean): string {
  const seatCte = seat
    ? `seat as (
         insert into tool_seats as s (tool, account, student_sourced_id, tool_user, lease_token, lease_until, holder, gen)
         select ?, ?, ?, lower(?), ?::uuid, ${LEASE}, sourced_id, 1 from new_result where not ${OPEN_FOR_ANOTHER_STUDENT}
         on conflict (tool, account, student_sourced_id) do update
           set lease_token = excluded.lease_token, lease_until = excluded.lease_until, holder = excluded.holder,
               tool_user = excluded.tool_user, gen = s.gen + 1
           where s.lease_until is null or s.lease_until < now()
         returning holder, gen
       )`
    : 'seat as (select null::text holder, null::int gen where false)';
  return `with ${lineItemCte(lineItemKnown)},
       existing as (
         select result_sourced_id, state, called from tool_assignments where lesson_sourced_id = ? and student_sourced_id = ? and attempt = ?
       ),
       new_result as (
         insert into assessment_results (sourced_id, line_item_sourced_id, student_sourced_id, attempt, score_status, metadata)
         select ?, li.sourced_id, ?, ?::int, 'not submitted', ?::jsonb from li where not exists (select 1 from existing)
         on conflict (line_item_sourced_id, student_sourced_id, attempt) do nothing
         returning sourced_id
       ),
       ${seatCte},
       made as (
         insert into tool_assignments (result_sourced_id, lesson_sourced_id, student_sourced_id, attempt, tool, account, state,
                                       lease_token, lease_until, request, called, tool_user_id)
         select sourced_id, ?, ?, ?::int, ?, ?, 'pending', ?::uuid, ${LEASE}, ?::jsonb, exists (select 1 from seat),
                case when exists (select 1 from seat) then lower(?) end
         from new_result
         on conflict do nothing
         returning result_sourced_id, 'new'::text prior, false prior_called, null::text prior_calls_as, tool, account, request
       ),
       taken as (
         update tool_assignments ta
         set state = 'pending', lease_token = ?, lease_until = ${LEASE}, given_up_at = null,
             tool = case when e.state = 'pending' then coalesce(ta.tool, ?) else ? end,
             account = case when e.state = 'pending' then coalesce(ta.account, ?) else ? end,
             request = case when e.state = 'pending' then ta.request else ?::jsonb end
         from existing e, li
         where ta.result_sourced_id = e.result_sourced_id and ta.state <> 'assigned'
           and (ta.lease_until is null or ta.lease_until < now())
           -- a finished attempt asks the tool for nothing more (its result was read before it was finalized)
           and not exists (select 1 from assessment_results f where f.sourced_id = e.result_sourced_id and f.finalized_at is not null)
         returning ta.result_sourced_id, e.state prior, e.called prior_called,
                   case when e.called then ta.tool_user_id end prior_calls_as, ta.tool, ta.account, ta.request
       )
       select c.result_sourced_id, c.prior, c.prior_called, c.prior_calls_as, c.tool, c.account, c.request,
              li.sourced_id li_id, li.inserted li_inserted, exists (select 1 from seat) seated${
                givenTests
                  ? `,
              -- the statement's snapshot: the seat's generation before this take (0 for no seat yet)
              case when (select gen from seat) = coalesce((select gen from tool_seats
                                                             where tool = ? and account = ? and student_sourced_id = ?), 0) + 1
                then (select coalesce(jsonb_agg(g), '[]'::jsonb) from (${GIVEN_TESTS}) g) end given_tests`
                  : ''
              }
       from (select * from made union all select * from taken) c cross join li`;
}

function openStatement(lineItemKnown: boolean): string {
  return `with ${lineItemCte(lineItemKnown)},
       new_result as (
         insert into assessment_results (sourced_id, line_item_sourced_id, student_sourced_id, attempt, score_status, metadata)
         select ?, li.sourced_id, ?, ?, 'not submitted', ?::jsonb from li
         where not exists (select 1 from tool_assignments where lesson_sourced_id = ? and student_sourced_id = ? and attempt = ?)
         on conflict (line_item_sourced_id, student_sourced_id, attempt) do nothing
         returning sourced_id
       )
       insert into tool_assignments (result_sourced_id, lesson_sourced_id, student_sourced_id, attempt, state)
       select sourced_id, ?, ?, ?, 'open' from new_result
       on conflict do nothing
       returning result_sourced_id`;
}

/**
 * Statement texts with parts are composed once, here: each call hands runPrepared the same string, whose hash V8
 * keeps, instead of a fresh 1–3 K-character text to hash on every lookup of its prepared statement.
 * Indexed by [lineItemKnown][seat][givenTests].
 */
const CLAIM = [0, 1].map((known) =>
  [0, 1].map((seat) => [0, 1].map((tests) => claimStatement(known === 1, seat === 1, seat === 1 && tests === 1))),
);
const OPEN = [0, 1].map((known) => openStatement(known === 1));

interface PurposelessRow {
  result_sourced_id: string;
  tool: string;
  account: string;
  external_id: string;
  tool_user_id: string | null;
  student_sourced_id: string;
  email: string | null;
}

/**
 * purposeless's statement, for one tool. Each half walks its partial index of what may be due
 * (tool_assignments_noted_index, tool_assignments_void_index) in key order and stops at its own limit: it reads what
 * it lists, never another tool's rows nor every attempt. The planner misjudges how few void attempts are left to
 * withdraw (most were withdrawn long ago); with the tool an equality and a limit per half, it never weighs more.
 */
const PURPOSELESS = `(select ta.result_sourced_id, ta.tool, ta.account, ta.external_id, ta.tool_user_id, ta.student_sourced_id, u.email
    from tool_assignments ta join assessment_results ar on ar.sourced_id = ta.result_sourced_id
    join users u on u.sourced_id = ta.student_sourced_id
    where ta.tool = ? and ta.state = 'pending' and ta.external_id is not null and coalesce(ta.tool_user_id, u.email) is not null
      and ar.finalized_at is not null and (ta.lease_until is null or ta.lease_until < now())
    order by ta.result_sourced_id limit ?)
   union all
   (select ta.result_sourced_id, ta.tool, ta.account, ta.external_id, ta.tool_user_id, ta.student_sourced_id, u.email
    from tool_assignments ta join users u on u.sourced_id = ta.student_sourced_id
    where ta.tool = ? and ta.state = 'assigned' and ta.result_void and ta.withdrawn_at is null
      and ta.external_id is not null and coalesce(ta.tool_user_id, u.email) is not null
    order by ta.result_sourced_id limit ?)
   order by result_sourced_id limit ?`;

/** recordAssigned's statement (composed once, as CLAIM). */
const RECORD_ASSIGNED = `with attempt as (
     -- finished by another assignment: the delivery that made it final does not name this one
     select sourced_id, finalized_at is not null and coalesce(metadata->>'assignmentId', '') <> ? finished
     from assessment_results where sourced_id = ? for no key update
   ), done as (
     update tool_assignments ta
     set state = 'assigned', lease_token = null, lease_until = null, called = false, external_id = ?, class_id = ?, test_id = ?,
         test_title = ?, test_url = ?, tool_user_id = coalesce(?, lower(?)), assigned_at = now(),
         -- the login it was made for: the student's may be another user at the tool later (an email change)
         login_sealed = (select tl.credentials_sealed from tool_logins tl
                         where tl.tool = ta.tool and tl.account = ta.account and tl.student_sourced_id = ta.student_sourced_id
                           and tl.state = 'ready' and tl.external_user_id = ?)
     -- a live lease: past it the student's seat may be another attempt's, which may withdraw what this one made
     from attempt where ta.result_sourced_id = attempt.sourced_id and ta.lease_token = ? and ta.lease_until > now()
       and not attempt.finished
     returning ta.result_sourced_id
   ), purposeless as (
     update tool_assignments ta set external_id = ?
     from attempt where ta.result_sourced_id = attempt.sourced_id and ta.lease_token = ? and attempt.finished
       and not ?::boolean and ta.external_id is null
   ), seat as (
     ${FREE_SEAT} from done where holder = done.result_sourced_id
   ), projected as (
     -- The score is not touched: a write-back may land between the tool's answer and this statement.
     update assessment_results ar set metadata = coalesce(ar.metadata, '{}'::jsonb) || ?::jsonb, date_last_modified = now()
     from done where ar.sourced_id = done.result_sourced_id
   )
   select exists (select 1 from done) stored, coalesce((select finished from attempt), false) finished`;

/**
 * After a take broke SEAT_TOOL_USER_UNIQUE: frees the tool user from the seats of students who are no longer that user
 * (deleted: OneRoster `tobedeleted`, or gone; or given another email since that seat's last take) and that nobody
 * holds now. Says whether a seat of a student who still is the user has it (`other`), and how long the longest held
 * seat of one who no longer is will be (`busy_seconds`). Neither: the take lost a race with one that freed it, or
 * with the student's own first seat made at the same moment, and runs again. Placeholders: tool, account, the asking
 * student's email, the asking student, then tool, account, email again.
 */
const FREE_STALE_TOOL_USER = `with seats as (
     select s.student_sourced_id,
            not exists (select 1 from users u where u.sourced_id = s.student_sourced_id and u.status = 'active'
                        and lower(u.email) = s.tool_user) gone,
            greatest(extract(epoch from (s.lease_until - now())), 0)::float8 lease_seconds
     from tool_seats s where s.tool = ? and s.account = ? and s.tool_user = lower(?) and s.student_sourced_id <> ?
   ), freed as (
     update tool_seats s set tool_user = null from seats
     where s.tool = ? and s.account = ? and s.student_sourced_id = seats.student_sourced_id and seats.gone
       and s.tool_user = lower(?) and (s.lease_until is null or s.lease_until <= now())
   )
   select exists (select 1 from seats where not gone) other,
          (select max(lease_seconds) from seats where gone and lease_seconds > 0) busy_seconds`;

/** A seat is taken when free, expired, or already this attempt's (takeSeat; `?` is the attempt's result). */
const LEASABLE = `(s.lease_until is null or s.lease_until < now() or s.holder = ?)`;

/** takeSeat's statement (composed once, as CLAIM). `held`: the seat is not taken (OPEN_FOR_ANOTHER_STUDENT). */
const TAKE_SEAT = `with held as (
     ${HOLDERS_OF_USER}
   ), seat as (
     insert into tool_seats as s (tool, account, student_sourced_id, tool_user, lease_token, lease_until, holder, gen)
     select ?, ?, ?, lower(?), ?, now() + make_interval(secs => ?), ?, 1
     where exists (select 1 from tool_assignments where result_sourced_id = ? and lease_token = ?)
       and not (select held from held)
     on conflict (tool, account, student_sourced_id) do update set
       tool_user = case when ${LEASABLE} then excluded.tool_user else s.tool_user end,
       lease_token = case when ${LEASABLE} then excluded.lease_token else s.lease_token end,
       lease_until = case when ${LEASABLE} then excluded.lease_until else s.lease_until end,
       holder = case when ${LEASABLE} then excluded.holder else s.holder end,
       gen = case when ${LEASABLE} then s.gen + 1 else s.gen end
     returning s.lease_token = ? taken, extract(epoch from (s.lease_until - now()))::float8 lease_seconds
   ), calling as (
     -- a call made before keeps the user it was made for (the resumed call asks with it: Claim.priorCallsAs)
     update tool_assignments set called = true, tool_user_id = coalesce(case when called then tool_user_id end, lower(?))
     where result_sourced_id = ? and lease_token = ? and exists (select 1 from seat where taken)
     returning 1
   )
   select h.held, h.shares, seat.taken, exists (select 1 from calling) calling, seat.lease_seconds from held h left join seat on true`;

/**
 * The ledger of tool assignments (tool_assignments) and the results they fill. Each method is one statement
 * (release: one short transaction), so no connection is held while the tool is called.
 */
@Injectable()
export class AttemptLedgerRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Leases the attempt (line item, result and ledger row made on first use). Undefined when another request
   * holds it, it is assigned already, or a concurrent request made its rows first.
   */
  async claim(i: ClaimInput): Promise<Claim | ToolUserHeld | undefined> {
    return this.unlessToolUserHeld(i, () => this.claimOnce(i));
  }

  private async claimOnce(i: ClaimInput): Promise<Claim | undefined> {
    const leaseToken = randomUUID();
    const lineItemKnown = Boolean(i.lineItemSourcedId);
    const rows = await runPrepared<{
      result_sourced_id: string;
      prior: Claim['prior'];
      prior_called: boolean;
      prior_calls_as: string | null;
      tool: string;
      account: string;
      request: ToolAssignmentRequest;
      li_id: string;
      li_inserted: boolean;
      seated: boolean;
      given_tests?: GivenTestRow[] | null;
    }>(this.em, CLAIM[+lineItemKnown][+Boolean(i.seat)][+Boolean(i.seat && i.givenTests)], [
      ...lineItemParams(i),
      i.lessonSourcedId,
      i.studentSourcedId,
      i.attempt,
      randomUUID(),
      i.studentSourcedId,
      i.attempt,
      JSON.stringify(i.resultMetadata),
      // The seat, then OPEN_FOR_ANOTHER_STUDENT's four.
      ...(i.seat ? [i.tool, i.account, i.studentSourcedId, i.toolUser, randomUUID(), i.leaseSeconds] : []),
      ...(i.seat ? [i.tool, i.account, i.toolUser, i.studentSourcedId] : []),
      i.lessonSourcedId,
      i.studentSourcedId,
      i.attempt,
      i.tool,
      i.account,
      leaseToken,
      i.leaseSeconds,
      JSON.stringify(i.request),
      i.callsAs ?? null,
      leaseToken,
      i.leaseSeconds,
      i.tool,
      i.tool,
      i.account,
      i.account,
      JSON.stringify(i.request),
      ...(i.seat && i.givenTests ? [i.tool, i.account, i.studentSourcedId, i.studentSourcedId, i.tool, i.account] : []),
    ]);
    const row = rows[0];
    if (!row) return undefined;
    return {
      resultSourcedId: row.result_sourced_id,
      lineItemSourcedId: row.li_id,
      leaseToken,
      prior: row.prior,
      priorCalled: row.prior_called,
      priorCallsAs: row.prior_calls_as,
      lineItemCreated: row.li_inserted,
      tool: row.tool,
      account: row.account,
      request: row.request ?? {},
      seated: row.seated,
      ...(row.given_tests ? { givenTests: row.given_tests.map(toGivenTest) } : {}),
    };
  }

  /**
   * Opens an attempt without asking the tool (createNewAttempt): its result and ledger row, state `open`.
   * Undefined when the attempt exists already.
   */
  async open(
    i: Omit<ClaimInput, 'tool' | 'account' | 'request' | 'leaseSeconds' | 'toolUser'>,
  ): Promise<AttemptRecord | undefined> {
    const [row] = await runPrepared<{ result_sourced_id: string }>(this.em, OPEN[+Boolean(i.lineItemSourcedId)], [
      ...lineItemParams(i),
      randomUUID(),
      i.studentSourcedId,
      i.attempt,
      JSON.stringify(i.resultMetadata),
      i.lessonSourcedId,
      i.studentSourcedId,
      i.attempt,
      i.lessonSourcedId,
      i.studentSourcedId,
      i.attempt,
    ]);
    return row ? this.read(i.lessonSourcedId, i.studentSourcedId, i.attempt) : undefined;
  }

  /**
   * The tool's answer, recorded under the lease; the result's metadata gets its projection. `attempt-over`: the
   * attempt was finalized while the tool was asked, by a delivery that does not name this assignment (an earlier
   * one of the attempt wrote back): a finished attempt records no other assignment. One the tool made now (not
   * adopted) is noted on the attempt's row as its purposeless object (the row stays `pending`), for the caller to
   * withdraw, or the student's next assignment call when that fails. `lease-lost`: another request holds the
   * attempt now. The result row is locked first, so a concurrent finalization is either seen here or comes after.
   */
  async recordAssigned(
    claim: Claim,
    outcome: AssignedOutcome & { adopted: boolean },
    projection: Record<string, unknown>,
  ): Promise<'recorded' | 'lease-lost' | 'attempt-over'> {
    const [row] = await runPrepared<{ stored: boolean; finished: boolean }>(this.em, RECORD_ASSIGNED, [
      outcome.externalId,
      claim.resultSourcedId,
      outcome.externalId,
      outcome.classId,
      outcome.testId,
      outcome.testTitle,
      outcome.testUrl,
      outcome.toolUserId,
      outcome.callsAs,
      outcome.toolUserId,
      claim.leaseToken,
      outcome.externalId,
      claim.leaseToken,
      outcome.adopted,
      JSON.stringify(projection),
    ]);
    return row.finished ? 'attempt-over' : row.stored ? 'recorded' : 'lease-lost';
  }

  /**
   * Gives the attempt up after a failure. `reachedTool`: the tool may have made something for it (timeout, 5xx,
   * a crash-like failure), so the attempt stays `pending` and the next request resumes it. Otherwise the claim is
   * undone: what it made is deleted (the line item too, unless a concurrent claim uses it by now), an attempt
   * that existed goes back to its state. Guarded by the lease token.
   */
  async release(claim: Claim, reachedTool: boolean): Promise<void> {
    const undo = !reachedTool && claim.prior === 'new';
    await this.em.transactional(async (em) => {
      if (!undo) {
        // A call that certainly made nothing leaves the attempt as it was before it (called only if it was).
        await runPrepared(
          em,
          `with released as (
             update tool_assignments set lease_token = null, lease_until = null, state = ?, called = called and (? or ?),
               tool_user_id = case when called and (? or ?) then tool_user_id end
             where result_sourced_id = ? and lease_token = ? returning result_sourced_id
           )
           ${FREE_SEAT} from released where holder = released.result_sourced_id`,
          [
            reachedTool ? 'pending' : claim.prior,
            reachedTool,
            claim.priorCalled,
            reachedTool,
            claim.priorCalled,
            claim.resultSourcedId,
            claim.leaseToken,
          ],
        );
        return;
      }
      // The result before its ledger row: the order a change of the result's status takes them in (its trigger writes
      // result_void onto the ledger row), so an undo meeting a OneRoster DELETE of the result waits, never deadlocks.
      await runPrepared(em, 'select 1 from assessment_results where sourced_id = ? for update', [
        claim.resultSourcedId,
      ]);
      const [gone] = await runPrepared<{ n: number }>(
        em,
        `with ledger as (delete from tool_assignments where result_sourced_id = ? and lease_token = ? returning result_sourced_id)
         , result as (delete from assessment_results ar using ledger where ar.sourced_id = ledger.result_sourced_id returning 1)
         select count(*)::int n from result`,
        [claim.resultSourcedId, claim.leaseToken],
      );
      if (gone.n === 0) return;
      if (claim.lineItemCreated) {
        // A concurrent claim may have committed a result on the new line item: lock it, then check in a fresh statement.
        await runPrepared(em, 'select 1 from assessment_line_items where sourced_id = ? for update', [
          claim.lineItemSourcedId,
        ]);
        await runPrepared(
          em,
          `with gone as (
             delete from assessment_line_items li where li.sourced_id = ?
               and not exists (select 1 from assessment_results r where r.line_item_sourced_id = li.sourced_id)
             returning sourced_id
           )
           delete from lesson_line_items l using gone where l.line_item_sourced_id = gone.sourced_id`,
          [claim.lineItemSourcedId],
        );
      }
      // The seat last: a claim locks its line item before the seat, so this transaction takes them in that order too.
      await runPrepared(em, `${FREE_SEAT} where holder = ?`, [claim.resultSourcedId]);
    });
  }

  /**
   * The tool refused the test a resumed attempt's recorded request names (it does not know it): no call of the
   * attempt made anything, since each sent that request. The attempt stays pending with its result, its lease and seat
   * let go and `called` unset, and asks with `asked` from now on instead of replaying a request that cannot succeed.
   * False (nothing changed) when the lease is lost, or the attempt is finished or carries a noted assignment.
   */
  async replaceRefusedRequest(
    claim: Claim,
    asked: { account: string; request: ToolAssignmentRequest },
  ): Promise<boolean> {
    const [row] = await runPrepared<{ replaced: boolean }>(
      this.em,
      `with replaced as (
         update tool_assignments ta
         set lease_token = null, lease_until = null, called = false, tool_user_id = null, account = ?, request = ?::jsonb
         where result_sourced_id = ? and lease_token = ? and state = 'pending' and external_id is null
           and not exists (select 1 from assessment_results f where f.sourced_id = ta.result_sourced_id and f.finalized_at is not null)
         returning result_sourced_id
       ), seat as (
         ${FREE_SEAT} from replaced where holder = replaced.result_sourced_id
       )
       select exists (select 1 from replaced) replaced`,
      [asked.account, JSON.stringify(asked.request), claim.resultSourcedId, claim.leaseToken],
    );
    return row.replaced;
  }

  async read(lessonSourcedId: string, studentSourcedId: string, attempt: number): Promise<AttemptRecord | undefined> {
    const [row] = await runPrepared<AttemptRow>(
      this.em,
      `select ${ATTEMPT_COLUMNS} from ${ATTEMPT_FROM} where ta.lesson_sourced_id = ? and ta.student_sourced_id = ? and ta.attempt = ?`,
      [lessonSourcedId, studentSourcedId, attempt],
    );
    return row ? toAttemptRecord(row) : undefined;
  }

  async readByResult(
    resultSourcedId: string,
  ): Promise<(AttemptRecord & { lessonSourcedId: string; studentSourcedId: string }) | undefined> {
    const [row] = await runPrepared<AttemptRow & { lesson_sourced_id: string; student_sourced_id: string }>(
      this.em,
      `select ${ATTEMPT_COLUMNS}, ta.lesson_sourced_id, ta.student_sourced_id from ${ATTEMPT_FROM} where ta.result_sourced_id = ?`,
      [resultSourcedId],
    );
    return row
      ? { ...toAttemptRecord(row), lessonSourcedId: row.lesson_sourced_id, studentSourcedId: row.student_sourced_id }
      : undefined;
  }

  /** The student's attempts of a lesson, oldest first. */
  async list(lessonSourcedId: string, studentSourcedId: string): Promise<ListedAttempt[]> {
    const rows = await runPrepared<AttemptRow & { score_date: Date | string }>(
      this.em,
      `select ${ATTEMPT_COLUMNS}, ar.score_date from ${ATTEMPT_FROM}
       where ta.lesson_sourced_id = ? and ta.student_sourced_id = ? order by ta.attempt`,
      [lessonSourcedId, studentSourcedId],
    );
    return rows.map((r) => Object.assign(toAttemptRecord(r), { scoreDate: new Date(r.score_date) }));
  }

  /** Whose is the tool's assignment `externalId`, and which attempts of the student could be its unrecorded owner. */
  async ownership(
    tool: string,
    account: string,
    externalId: string,
    studentSourcedId: string,
    exceptResult: string,
  ): Promise<Ownership> {
    const rows = await runPrepared<{
      kind: 'owner' | 'unresolved';
      result_sourced_id: string;
      lesson_sourced_id: string;
      attempt: number;
      finished: boolean;
      another_student: boolean;
    }>(
      this.em,
      `select 'owner' kind, ta.result_sourced_id, ta.lesson_sourced_id, ta.attempt, ar.finalized_at is not null finished,
              ta.student_sourced_id <> ? another_student
       from tool_assignments ta join assessment_results ar on ar.sourced_id = ta.result_sourced_id
       where ta.tool = ? and ta.account = ? and ta.external_id = ?
       union all
       select 'unresolved', result_sourced_id, lesson_sourced_id, attempt, false, false
       from tool_assignments ta
       where student_sourced_id = ? and tool = ? and account = ? and state = 'pending' and called and result_sourced_id <> ?
         -- a finished attempt holds no active assignment any more
         and exists (select 1 from assessment_results ar
                     where ar.sourced_id = ta.result_sourced_id and ar.finalized_at is null and ar.status = 'active')`,
      [studentSourcedId, tool, account, externalId, studentSourcedId, tool, account, exceptResult],
    );
    const owner = rows.find((r) => r.kind === 'owner');
    return {
      owner: owner && {
        resultSourcedId: owner.result_sourced_id,
        lessonSourcedId: owner.lesson_sourced_id,
        attempt: owner.attempt,
        finished: owner.finished,
        anotherStudent: owner.another_student,
      },
      unresolved: rows
        .filter((r) => r.kind === 'unresolved')
        .map((r) => ({ lessonSourcedId: r.lesson_sourced_id, attempt: r.attempt })),
    };
  }

  /**
   * Takes the student's seat at the tool for this attempt (one request at a time asks the tool for a student's
   * assignments) and marks the attempt as calling, fenced by the attempt's lease. One statement. `lost`: the lease
   * is another request's now, and such a request must not call the tool. The seat is left alone when the lease was
   * gone before the statement; when it went while the statement ran, the seat stays held for the attempt, and the
   * request that took the attempt over holds it too (the holder is the attempt). Held: the student's email is the tool
   * user of another student's seat, or another student has a test open on it (OPEN_FOR_ANOTHER_STUDENT).
   */
  async takeSeat(
    seat: SeatKey,
    claim: Pick<Claim, 'resultSourcedId' | 'leaseToken'>,
    leaseSeconds: number,
  ): Promise<{ taken: boolean; lost: boolean; leaseSeconds: number | null } | ToolUserHeld> {
    return this.unlessToolUserHeld(seat, () => this.takeSeatOnce(seat, claim, leaseSeconds));
  }

  /** Runs a statement that takes a seat, passing the student's tool user on from a stale seat (passingStaleToolUser). */
  private unlessToolUserHeld<T>(seat: SeatKey, take: () => Promise<T>): Promise<T | ToolUserHeld> {
    return passingStaleToolUser(this.em, SEAT_TOOL_USER_UNIQUE, take, {
      sql: FREE_STALE_TOOL_USER,
      params: [seat.tool, seat.account, seat.toolUser, seat.studentSourcedId, seat.tool, seat.account, seat.toolUser],
    });
  }

  private async takeSeatOnce(
    seat: SeatKey,
    claim: Pick<Claim, 'resultSourcedId' | 'leaseToken'>,
    leaseSeconds: number,
  ): Promise<{ taken: boolean; lost: boolean; leaseSeconds: number | null } | ToolUserHeld> {
    const token = randomUUID();
    const [row] = await runPrepared<{
      held: boolean;
      shares: boolean;
      taken: boolean | null;
      calling: boolean;
      lease_seconds: number | null;
    }>(this.em, TAKE_SEAT, [
      // OPEN_FOR_ANOTHER_STUDENT
      seat.tool,
      seat.account,
      seat.toolUser,
      seat.studentSourcedId,
      seat.tool,
      seat.account,
      seat.studentSourcedId,
      seat.toolUser,
      token,
      leaseSeconds,
      claim.resultSourcedId,
      claim.resultSourcedId,
      claim.leaseToken,
      // `leasable` five times
      claim.resultSourcedId,
      claim.resultSourcedId,
      claim.resultSourcedId,
      claim.resultSourcedId,
      claim.resultSourcedId,
      token,
      seat.callsAs ?? null,
      claim.resultSourcedId,
      claim.leaseToken,
    ]);
    if (row.held) return new ToolUserHeld({ openTest: !row.shares });
    // No seat: the lease was gone before the statement; taken but not calling: it went while the statement ran.
    if (row.taken === null || (row.taken && !row.calling)) return { taken: false, lost: true, leaseSeconds: null };
    return { taken: row.taken, lost: false, leaseSeconds: row.lease_seconds };
  }

  /**
   * Tests the tool gave the student through us (any attempt, any lesson), to steer clear of them (GIVEN_TESTS);
   * `exceptResult` (the asking attempt) is left out.
   */
  async testsOfStudent(
    tool: string,
    account: string,
    studentSourcedId: string,
    exceptResult: string,
  ): Promise<GivenTestRecord[]> {
    const rows = await runPrepared<GivenTestRow>(this.em, `${GIVEN_TESTS} and ta.result_sourced_id <> ?`, [
      studentSourcedId,
      tool,
      account,
      exceptResult,
    ]);
    return rows.map(toGivenTest);
  }

  /** Attempts a request left pending (crashed, timed out) whose lease is over: what reconciliation resumes. */
  async stuck(
    limit: number,
  ): Promise<{ lessonSourcedId: string; studentSourcedId: string; attempt: number; request: ToolAssignmentRequest }[]> {
    const rows = await runPrepared<{
      lesson_sourced_id: string;
      student_sourced_id: string;
      attempt: number;
      request: ToolAssignmentRequest;
    }>(
      this.em,
      `select ta.lesson_sourced_id, ta.student_sourced_id, ta.attempt, ta.request
       from tool_assignments ta join assessment_results ar on ar.sourced_id = ta.result_sourced_id
       where ta.state = 'pending' and (ta.lease_until is null or ta.lease_until < now()) and ta.given_up_at is null
         and ar.finalized_at is null and ar.status = 'active'
       order by ta.lease_until nulls first limit ?`,
      [limit],
    );
    return rows.map((r) => ({
      lessonSourcedId: r.lesson_sourced_id,
      studentSourcedId: r.student_sourced_id,
      attempt: r.attempt,
      request: r.request,
    }));
  }

  /**
   * Assignments no attempt may use that are still to be withdrawn at one of `tools`: noted on finished attempts
   * (recordAssigned's `attempt-over`; the request that noted one could not withdraw it, or died before it did), and
   * those of void attempts (their result deleted: the next attempt started past them, but the student could still sit
   * them). With the student, whom the tool knows them by. Up to `limit` in all, one tool after another.
   */
  async purposeless(
    limit: number,
    tools: string[],
  ): Promise<
    {
      resultSourcedId: string;
      tool: string;
      account: string;
      externalId: string;
      /** The tool's user the assignment was made for when recorded (AssignedOutcome), else the student's email now. */
      at: { toolUserId: string } | { studentEmail: string };
      studentSourcedId: string;
    }[]
  > {
    const rows: PurposelessRow[] = [];
    // One tool at a time, each the limit's worth until it is used up: with the tool an equality, each half walks its
    // partial index in key order and stops at its own limit.
    for (const tool of tools) {
      if (rows.length >= limit) break;
      rows.push(
        ...(await runPrepared<PurposelessRow>(this.em, PURPOSELESS, [tool, limit, tool, limit, limit - rows.length])),
      );
    }
    return rows.map((r) => ({
      resultSourcedId: r.result_sourced_id,
      tool: r.tool,
      account: r.account,
      externalId: r.external_id,
      // One is there: the statement lists no row without either.
      at: r.tool_user_id ? { toolUserId: r.tool_user_id } : { studentEmail: r.email! },
      studentSourcedId: r.student_sourced_id,
    }));
  }

  /**
   * The assignment is withdrawn at the tool (or was no longer active there): a finished attempt's note goes; a void
   * attempt keeps its record, marked withdrawn.
   */
  async forgetPurposeless(resultSourcedId: string, externalId: string): Promise<void> {
    await runPrepared(
      this.em,
      `update tool_assignments
       set external_id = case when state = 'pending' then null else external_id end,
           withdrawn_at = case when state = 'assigned' then now() end
       where result_sourced_id = ? and external_id = ?`,
      [resultSourcedId, externalId],
    );
  }

  /**
   * Reconciliation gives up a pending attempt the tool refuses: it stops retrying it (until a request resumes it),
   * yet the attempt stays `pending`, with `called` as it was, so a late write-back of what a lost call made still
   * finalizes it and an unanswered call still counts when another attempt's "exists" is weighed.
   */
  async giveUp(lessonSourcedId: string, studentSourcedId: string, attempt: number): Promise<void> {
    await runPrepared(
      this.em,
      `update tool_assignments set given_up_at = now()
       where lesson_sourced_id = ? and student_sourced_id = ? and attempt = ? and state = 'pending'
         and (lease_until is null or lease_until < now())`,
      [lessonSourcedId, studentSourcedId, attempt],
    );
  }
}
