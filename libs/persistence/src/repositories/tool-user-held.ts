import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { runPrepared } from '../prepared-statement';

/**
 * The student's user at the tool (the tool knows a student by email) is another student's seat or login, so the
 * student is refused it. `busySeconds`: that other student is no longer the user (deleted, or given another email),
 * and the user passes on once its request, still working, ends (at most this many seconds from now). `openTest`: that
 * student has another email now, but still a test open at the tool on the user, which keeps it until the test is
 * finished or its result deleted.
 */
export class ToolUserHeld {
  readonly busySeconds: number | null;
  readonly openTest: boolean;

  constructor(o: { busySeconds?: number | null; openTest?: boolean } = {}) {
    this.busySeconds = o.busySeconds ?? null;
    this.openTest = o.openTest ?? false;
  }
}

/**
 * `ta` (tool_assignments) may be a test open at the tool for its student: recorded, or asked without the answer
 * recorded (and not given up), with its result active and neither final nor closed.
 */
export const OPEN_AT_TOOL = `(ta.state = 'assigned' or (ta.state = 'pending' and ta.called and ta.given_up_at is null))
  and exists (select 1 from assessment_results ar where ar.sourced_id = ta.result_sourced_id and ar.status = 'active'
              and ar.finalized_at is null and ar.closed_at is null)`;

/**
 * Tests open at the tool for other active students on a seat's tool user (`?`, an email, lower-cased here), as
 * recorded on them (`tool_user_id`: MasteryTrack's assignments record the email they were made for; Edulastic's rows
 * record its user ids, never an email, so they never match). Whoever has the email could open such a test at
 * MasteryTrack, and what they submit would be written back to the other student's result, so nobody else is seated
 * on the user until the test is finished or its result deleted, whatever that student's email is now (given back to
 * them, their seat may still name another). tool_assignments_tool_user_index serves it. Placeholders: tool, account,
 * the tool user, the asking student.
 */
const OPEN_ON_USER = `from tool_assignments ta join users u on u.sourced_id = ta.student_sourced_id
     where ta.tool = ? and ta.account = ? and ta.tool_user_id = lower(?) and ta.student_sourced_id <> ?
       and u.status = 'active' and ${OPEN_AT_TOOL}`;

/** Whether another student has a test open on the user (OPEN_ON_USER). */
export const OPEN_FOR_ANOTHER_STUDENT = `exists (select 1 ${OPEN_ON_USER})`;

/**
 * OPEN_ON_USER as a row: `held`, and `shares`, whether one of those students has the email now (two students with
 * one email, which the 422 says so) rather than having had it.
 */
export const HOLDERS_OF_USER = `select count(*) > 0 held, coalesce(bool_or(lower(u.email) = ta.tool_user_id), false) shares
     ${OPEN_ON_USER}`;

/** What a statement that frees a tool user from students who no longer are that user answers. */
interface FreedRow {
  /** A student who still is the user holds it. */
  other: boolean;
  /** The longest live lease of a holder who no longer is the user (null: none). */
  busy_seconds: number | null;
  /** A holder with another email keeps the user for a test open on it (logins only). */
  open_test?: boolean;
}

/**
 * Runs `take`, a statement that records a tool user for a student. When it breaks `constraint` (the user is another
 * student's), `freeStale` (one statement) frees the user from students who no longer are that user and nobody holds
 * now, and `take` runs again (at most twice: it may meet a concurrent take of the same user). Meant outside a
 * transaction (no caller opens one): a failed statement wrote nothing, and the next one runs; inside one, the
 * violation is rethrown.
 */
export async function passingStaleToolUser<T>(
  em: EntityManager,
  constraint: string,
  take: () => Promise<T>,
  freeStale: { sql: string; params: unknown[] },
): Promise<T | ToolUserHeld> {
  for (let tries = 1; ; tries++) {
    try {
      return await take();
    } catch (e) {
      if (!(e instanceof UniqueConstraintViolationException && constraintOf(e) === constraint)) throw e;
      // Inside a transaction the violation aborted it, and nothing more can run there: the caller's to handle.
      if (em.isInTransaction()) throw e;
      const [freed] = await runPrepared<FreedRow>(em, freeStale.sql, freeStale.params);
      if (freed.other) return new ToolUserHeld();
      if (freed.open_test) return new ToolUserHeld({ openTest: true });
      if (freed.busy_seconds !== null) return new ToolUserHeld({ busySeconds: freed.busy_seconds });
      if (tries === 3) return new ToolUserHeld();
    }
  }
}

/** The constraint a unique violation names (the driver's error carries it). */
function constraintOf(e: UniqueConstraintViolationException): string | undefined {
  return (e as { constraint?: string }).constraint;
}
