/**
 * SQLSTATEs that say "not now" rather than "wrong": the same request may succeed a moment later. 40001/40P01 a
 * serialization failure or deadlock (PostgreSQL rolled the transaction back to let a concurrent one through),
 * 55P03 a lock not available, 57014 a statement cancelled (statement_timeout), 57P01–57P03 a server shutting down
 * or starting, class 53 out of resources (too many connections), class 08 a lost connection.
 */
const TRANSIENT_SQLSTATE = /^(?:40001|40P01|55P03|57014|57P0[1-3]|53[0-9A-Z]{3}|08[0-9A-Z]{3})$/;
/** The database's socket, when a connection fails before any SQLSTATE (tool calls arrive as VendorTransportError). */
const SOCKET_FAILURE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

/**
 * Whether a failure is the database refusing for a moment: a conflict with a concurrent transaction, a lock, a full
 * pool (knex's acquire timeout), a restart. pg's errors and MikroORM's DriverException around them both carry the
 * SQLSTATE (or the socket's errno) in `code`.
 */
export function isTransientDatabaseError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (e.name === 'KnexTimeoutError') return true;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (TRANSIENT_SQLSTATE.test(code) || SOCKET_FAILURE.has(code));
}
