import { TransactionContext } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { KnexClient, PgClient, preparesStatements, queryOn, transactionOf } from './prepared-statement';

/** The ORM ran a query of its own inside a preparedTransaction, which has no knex transaction for it. */
export class OrmQueryInPreparedTransactionError extends Error {
  constructor() {
    super('An ORM query inside a preparedTransaction: its statements must go through runPrepared');
  }
}

/** A transaction that ended without committing, though its commit raised no error (an earlier statement failed). */
export class TransactionRolledBackError extends Error {
  constructor() {
    super('The transaction was rolled back at commit: one of its statements had failed');
  }
}

/**
 * What runPrepared and the transaction guard read of a transaction context: its one connection, and whether it
 * ended. knex, handed this by the ORM, finds no transaction in it and warns: that warning is made the error.
 */
class PreparedTransactionContext {
  private completed = false;

  constructor(private readonly connection: PgClient) {}

  readonly client: KnexClient & { logger: { warn(): never } } = {
    acquireConnection: () => Promise.resolve(this.connection),
    releaseConnection: () => Promise.resolve(),
    logger: {
      warn: () => {
        throw new OrmQueryInPreparedTransactionError();
      },
    },
  };

  isCompleted(): boolean {
    return this.completed;
  }

  complete(): void {
    this.completed = true;
  }
}

export type PreparedTransactionOptions =
  | { conflictRetries?: never }
  | {
      /** How many times the work runs again after a failure `isConflict` recognizes. */
      conflictRetries: number;
      /**
       * Which failures are a lost conflict with a concurrent transaction (a deadlock, a serialization failure): the
       * caller's classification (common's isTransactionConflict), so the retry and the answer to a failure read one list.
       */
      isConflict: (error: unknown) => boolean;
      /** Told of each conflict before the work runs again (for the log). */
      onConflict?: (error: unknown, retry: number) => void;
    };

/**
 * A transaction for work whose every statement goes through runPrepared: begin and commit go to one pooled
 * connection through the driver, as runPrepared's statements do. em.transactional pays, per transaction, for a knex
 * instance, knex's query runner for begin and commit, and MikroORM's unit of work around them: about a fifth of a
 * write-back's CPU (BENCHMARKS.md). `work` gets a fork whose transaction context is that connection, so
 * runPrepared, the injected EntityManager and the transaction guard (no second connection) all see the transaction
 * as they see MikroORM's. The ORM's own queries need a knex transaction: inside this one they fail
 * (OrmQueryInPreparedTransactionError), and nothing is flushed at the end.
 *
 * Where runPrepared goes through em.execute (the embedded database), or inside one of MikroORM's transactions (a
 * savepoint), it is em.transactional: the same work, the same statements apart from begin and commit. Inside
 * another preparedTransaction it joins that one: its failure is the outer one's.
 *
 * `conflictRetries` (with `isConflict`): PostgreSQL rolls back one of two transactions that wait for each other (a deadlock, 40P01) or
 * whose serializable snapshots conflict (40001), and the other goes through; the same work, run again, usually goes
 * through too. Only for work whose every effect is in the transaction (it runs again whole), and never for one this
 * joins (the rollback ended the outer transaction: its owner decides). It runs again at once, with no backoff: the
 * loser of a deadlock queues behind the winner's locks; it does not spread the load of rows every request contends for.
 */
export async function preparedTransaction<T>(
  em: EntityManager,
  work: (em: EntityManager) => Promise<T>,
  options: PreparedTransactionOptions = {},
): Promise<T> {
  const rerun = options.conflictRetries === undefined || transactionOf(em) ? undefined : options;
  for (let retry = 1; ; retry++) {
    try {
      return await runOnce(em, work);
    } catch (e) {
      if (!rerun || retry > rerun.conflictRetries || !rerun.isConflict(e)) throw e;
      rerun.onConflict?.(e, retry);
    }
  }
}

async function runOnce<T>(em: EntityManager, work: (em: EntityManager) => Promise<T>): Promise<T> {
  const open = transactionOf<object>(em);
  if (open instanceof PreparedTransactionContext) return work(em);
  if (!preparesStatements(em) || open) return em.transactional(work);
  const fork = em.fork();
  const client = em.getKnex().client as KnexClient;
  const connection = await client.acquireConnection();
  const context = new PreparedTransactionContext(connection);
  const statement = (sql: string) => queryOn(fork, connection, sql, { text: sql, values: [] });
  try {
    fork.setTransactionContext(context);
    await statement('begin');
    let result: T;
    try {
      result = await TransactionContext.create(fork, () => work(fork));
    } catch (e) {
      // Ended before rollback is sent: a statement still on its way fails, it never runs after it on its own.
      context.complete();
      // A failed rollback (the connection broke) changes nothing: PostgreSQL ends the session's transaction.
      await statement('rollback').catch(() => undefined);
      throw e;
    }
    context.complete();
    // PostgreSQL answers a commit of a failed transaction with ROLLBACK, not an error (a failure the work caught).
    if ((await statement('commit')).command === 'ROLLBACK') throw new TransactionRolledBackError();
    return result;
  } finally {
    context.complete();
    await client.releaseConnection(connection);
  }
}
