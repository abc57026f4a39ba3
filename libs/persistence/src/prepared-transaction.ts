import { TransactionContext } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { KnexClient, preparesStatements, queryOn } from './prepared-statement';

/** What runPrepared and the transaction guard read of a transaction context: its one connection, and whether it ended. */
class PreparedTransactionContext {
  private completed = false;

  constructor(private readonly connection: unknown) {}

  readonly client: KnexClient = {
    acquireConnection: () => Promise.resolve(this.connection as never),
    releaseConnection: () => Promise.resolve(),
  };

  isCompleted(): boolean {
    return this.completed;
  }

  complete(): void {
    this.completed = true;
  }
}

/**
 * A transaction for work whose every statement goes through runPrepared: begin and commit go to one pooled
 * connection through the driver, as runPrepared's statements do. em.transactional pays, per transaction, for a knex
 * instance, knex's query runner for begin and commit, and MikroORM's unit of work around them: about a fifth of a
 * write-back's CPU (BENCHMARKS.md). `work` gets a fork whose transaction context is that connection, so
 * runPrepared, the injected EntityManager and the transaction guard (no second connection) all see the transaction
 * as they see MikroORM's. The ORM's own queries and flush need a knex transaction, so they fail inside this one,
 * loudly: `work` must not call them (nothing is flushed at the end).
 *
 * Where runPrepared goes through em.execute (the embedded database) or a transaction is open already (MikroORM
 * nests it in a savepoint), it is em.transactional: the same work, the same statements apart from begin and commit.
 */
export async function preparedTransaction<T>(em: EntityManager, work: (em: EntityManager) => Promise<T>): Promise<T> {
  if (!preparesStatements(em) || em.getTransactionContext()) return em.transactional(work);
  const client = em.getKnex().client as KnexClient;
  const connection = await client.acquireConnection();
  const context = new PreparedTransactionContext(connection);
  const fork = em.fork();
  fork.setTransactionContext(context);
  const statement = (sql: string) => queryOn(fork, connection, sql, { text: sql, values: [] });
  try {
    await statement('begin');
    let result: T;
    try {
      result = await TransactionContext.create(fork, () => work(fork));
    } catch (e) {
      // A failed rollback (the connection broke) changes nothing: PostgreSQL ends the session's transaction.
      await statement('rollback').catch(() => undefined);
      throw e;
    }
    await statement('commit');
    return result;
  } finally {
    context.complete();
    fork.resetTransactionContext();
    await client.releaseConnection(connection);
  }
}
