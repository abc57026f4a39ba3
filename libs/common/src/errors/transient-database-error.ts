import { types } from 'node:util';

/**
 * 40001 a serialization failure, 40P01 a deadlock: PostgreSQL rolled the transaction back so that a concurrent one
 * could go through. The same work, run again at once, usually goes through too.
 */
const CONFLICT_SQLSTATE = new Set(['40001', '40P01']);
/**
 * Other SQLSTATEs that say "not now" rather than "wrong": the same request may succeed a moment later. 55P03 a lock
 * not available, 57P01–57P03 a server shutting down or starting, 53300 too many connections, 25P03 a
 * session ended for idling in its transaction (idle_in_transaction_session_timeout), 57014 a statement cancelled
 * (statement_timeout, or an administrator's pg_cancel_backend), class 08 a connection lost or refused (08P01, a
 * protocol violation, would fail again: not matched).
 */
const TRANSIENT_SQLSTATE = /^(?:55P03|57014|57P0[1-3]|53300|25P03|08[0-9]{3})$/;
/**
 * The database's socket failed: connecting (refused, unreachable, reset while the server goes down or comes up), or
 * reading and writing on it (a reset: a host down, a network cut). Tool calls arrive as VendorTransportError, so an
 * outbound socket failing here is the database's.
 */
const SOCKET_FAILURE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
const SOCKET_CALLS = new Set(['connect', 'read', 'write']);
/**
 * Failures that carry no SQLSTATE: knex's pool found no free connection in time (MikroORM rewraps it as a
 * DriverException, so by its message), pg lost its connection (or had lost it before this statement: the server
 * ended the session while the client was idle).
 */
const NO_SQLSTATE =
  /^(?:Knex: Timeout acquiring a connection|Connection terminated|Client has encountered a connection error and is not queryable)/;

/** An Error, also one Node made in another realm (its socket errors, seen from a vm context such as Jest's). */
const isError = (e: unknown): e is Error => e instanceof Error || types.isNativeError(e);

/**
 * Whether a transaction lost a conflict with a concurrent one (a deadlock, a serialization failure): what a
 * transaction whose every effect is its own may run again (preparedTransaction's `isConflict`). pg's errors and
 * MikroORM's DriverException around them both carry the SQLSTATE in `code`.
 */
export function isTransactionConflict(e: unknown): boolean {
  return isError(e) && CONFLICT_SQLSTATE.has((e as { code?: unknown }).code as string);
}

/**
 * Whether a failure is the database refusing for a moment: a conflict with a concurrent transaction, a lock, a full
 * pool, a restart, a lost connection. pg's errors and MikroORM's DriverException around them both carry the SQLSTATE
 * (or the socket's errno and syscall) in `code`. A client hanging up (ECONNRESET, no syscall) is not one.
 */
export function isTransientDatabaseError(e: unknown): boolean {
  if (!isError(e)) return false;
  if (isTransactionConflict(e)) return true;
  const { code, syscall } = e as { code?: unknown; syscall?: unknown };
  if (typeof code === 'string' && TRANSIENT_SQLSTATE.test(code)) return true;
  if (typeof syscall === 'string' && SOCKET_CALLS.has(syscall) && typeof code === 'string' && SOCKET_FAILURE.has(code))
    return true;
  return e.name === 'KnexTimeoutError' || NO_SQLSTATE.test(e.message);
}
