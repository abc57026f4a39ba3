import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { runPrepared } from '../prepared-statement';

/**
 * The student's user at the tool (the tool knows a student by email) is another student's seat or login, so the
 * student is refused it. `busySeconds`: that other student is no longer the user (deleted, or given another email),
 * and the user passes on once its request, still working, ends (at most this many seconds from now).
 */
export class ToolUserHeld {
  constructor(readonly busySeconds: number | null = null) {}
}

/** What a statement that frees a tool user from students who no longer are that user answers. */
interface FreedRow {
  /** A student who still is the user holds it. */
  other: boolean;
  /** The longest live lease of a holder who no longer is the user (null: none). */
  busy_seconds: number | null;
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
      if (freed.busy_seconds !== null) return new ToolUserHeld(freed.busy_seconds);
      if (tries === 3) return new ToolUserHeld();
    }
  }
}

/** The constraint a unique violation names (the driver's error carries it). */
function constraintOf(e: UniqueConstraintViolationException): string | undefined {
  return (e as { constraint?: string }).constraint;
}
