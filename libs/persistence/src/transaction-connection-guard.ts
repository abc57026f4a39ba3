import { TransactionContext } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable, OnModuleInit } from '@nestjs/common';

/** Code inside a transaction asked the pool for another connection (see TransactionConnectionGuard). */
export class SecondConnectionInTransactionError extends Error {
  constructor() {
    super(
      'A statement inside a transaction asked for a second database connection; run it through the ' +
        "transaction's EntityManager (the one em.transactional passes, or the injected one)",
    );
  }
}

/**
 * Code running inside a transaction never takes a second connection: it fails at once instead. Such a statement
 * reads outside its own transaction, and it waits for a connection while holding one. On the embedded database
 * (one session: while a transaction is open, every other connection waits for its end) it waits for ever, and on
 * PostgreSQL a full pool does the same until the acquire timeout. With this rule a transaction only ever waits
 * for its own connection, so whoever waits for the session waits for a transaction that is making progress. The
 * whole test suite runs with it, on PostgreSQL and on the embedded database.
 */
@Injectable()
export class TransactionConnectionGuard implements OnModuleInit {
  constructor(private readonly orm: MikroORM) {}

  onModuleInit(): void {
    guardTransactionConnections(this.orm);
  }
}

export function guardTransactionConnections(orm: MikroORM): void {
  // knex types its client loosely; acquireConnection is where every pooled statement and transaction starts.
  const client = orm.em.getKnex().client as { acquireConnection(): Promise<unknown> };
  const acquire = client.acquireConnection.bind(client);
  client.acquireConnection = () => {
    // The transaction's own connection is acquired before MikroORM binds the transaction to its context.
    const trx = TransactionContext.getEntityManager(orm.em.name)?.getTransactionContext<{ isCompleted(): boolean }>();
    if (trx && !trx.isCompleted()) return Promise.reject(new SecondConnectionInTransactionError());
    return acquire();
  };
}
