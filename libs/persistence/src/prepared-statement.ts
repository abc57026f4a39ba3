import { TransactionContext } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createHash } from 'node:crypto';

/** The part of a pg client this uses (knex hands out pg clients from its pool). */
export interface PgClient {
  query<R>(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: R[]; command?: string }>;
  /** Set by knex when the connection errs or ends; its pool then never hands it out again. */
  __knex__disposed?: unknown;
}

/** The part of knex's client this uses: its pool, or a transaction's one connection. */
export interface KnexClient {
  acquireConnection(): Promise<PgClient>;
  releaseConnection(connection: PgClient): Promise<unknown>;
}

/** Statement texts come from code, so there are few; past this many the rest go unnamed (not cached). */
const MAX_NAMED = 500;
const statements = new Map<string, { name?: string; text: string }>();

/** ORMs (by their configuration) whose statements go through em.execute: PersistenceOptions.preparedStatements false. */
const plain = new WeakSet<object>();

/**
 * Prepared statements live in a database session. Where sessions are not one per connection — the embedded
 * database of `npm start` (one session behind every connection: a name prepared on one connection already exists
 * on the next, and its socket server only serialises the simple protocol), a pooler that hands a connection's
 * session to others (PgBouncer in transaction mode before 1.21) — statements go through em.execute instead: the
 * simple protocol, values formatted into the text by the ORM, as before runPrepared existed.
 */
export function usePreparedStatements(config: object, prepared: boolean): void {
  if (prepared) plain.delete(config);
  else plain.add(config);
}

function prepared(sql: string): { name?: string; text: string } {
  let statement = statements.get(sql);
  if (!statement) {
    let n = 0;
    const text = sql.replace(/\?/g, () => `$${++n}`);
    if (statements.size >= MAX_NAMED) return { text };
    statement = { name: `et_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`, text };
    statements.set(sql, statement);
  }
  return statement;
}

/**
 * Runs a statement of the request path through the driver as a named prepared statement (where sessions allow
 * it: usePreparedStatements): PostgreSQL parses and plans it once per connection, the values travel apart from the
 * text (nothing is quoted into it in JavaScript), and none of the ORM's per-statement work runs (em.execute formats
 * every value into the text and goes through knex's runner). It runs where `em` runs: on the transaction's connection inside one, else on a pooled one, so
 * the transaction guard and the statement hook see it as any other statement. Errors are the ORM's exceptions.
 *
 * `sql` uses `?` placeholders, like em.execute (so no jsonb `?` operator, as there). Unlike there, a value is a
 * typed parameter, not a literal: PostgreSQL infers its type from where it stands, so a placeholder whose type it
 * cannot infer (a select list feeding an insert) needs a cast (`?::int`), and an array is a PostgreSQL array.
 */
export async function runPrepared<R>(em: EntityManager, sql: string, values: unknown[]): Promise<R[]> {
  if (plain.has(em.config)) return em.execute<R[]>(sql, values);
  const { name, text } = prepared(sql);
  const trx = transactionOf<{ client: KnexClient; isCompleted(): boolean }>(em);
  // As knex refuses it: the connection of a finished transaction is back in the pool, maybe in another's hands.
  if (trx?.isCompleted()) throw new Error('A statement on a finished transaction (it committed or rolled back)');
  const client = (trx ?? em.getKnex()).client as KnexClient;
  const connection = await client.acquireConnection();
  try {
    return (await queryOn<R>(em, connection, sql, { name, text, values })).rows;
  } finally {
    await client.releaseConnection(connection);
  }
}

/**
 * The transaction `em` works in, if any: `em.getTransactionContext()`, without resolving the request's fork of the
 * global EntityManager when no transaction is open (a request whose statements all go through runPrepared then never
 * forks it; the request scope forks lazily).
 */
export function transactionOf<T>(em: EntityManager): T | undefined {
  return (em.global ? TransactionContext.getEntityManager(em.name) : em)?.getTransactionContext<T>();
}

/** Whether runPrepared prepares statements for this ORM (false: they go through em.execute). */
export function preparesStatements(em: EntityManager): boolean {
  return !plain.has(em.config);
}

/** One statement on `connection`, reported to the ORM's logger (and so the statement hook) and its errors converted. */
export async function queryOn<R>(
  em: EntityManager,
  connection: PgClient,
  sql: string,
  statement: { name?: string; text: string; values: unknown[] },
): Promise<{ rows: R[]; command?: string }> {
  const started = Date.now();
  let result: { rows: R[]; command?: string };
  try {
    result = await connection.query<R>(statement);
  } catch (e) {
    // PostgreSQL ended the session (FATAL: terminated, shutting down): the connection goes back to the pool before
    // its socket closes, and the next statement (this request's own release of its claim) would take it. Marked as
    // knex marks it once the socket closes, the pool drops it instead.
    if ((e as { severity?: unknown }).severity === 'FATAL') connection.__knex__disposed = e;
    em.config.getLogger().logQuery({ query: sql, took: Date.now() - started, level: 'error' });
    // The statement, for the logs (loggableError): it has no values in it, `?` stands for each.
    throw Object.assign(em.getDriver().convertException(e as Error), { statement: sql });
  }
  em.config.getLogger().logQuery({ query: sql, took: Date.now() - started, results: result.rows.length });
  return result;
}
