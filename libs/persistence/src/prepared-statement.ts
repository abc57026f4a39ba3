import type { EntityManager } from '@mikro-orm/postgresql';

/** The part of a pg client this uses (knex hands out pg clients from its pool). */
interface PgClient {
  query<R>(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: R[] }>;
}

/** The part of knex's client this uses: its pool, or a transaction's one connection. */
interface KnexClient {
  acquireConnection(): Promise<PgClient>;
  releaseConnection(connection: PgClient): Promise<unknown>;
}

/**
 * A statement on the request path, sent through the driver as a named prepared statement: PostgreSQL parses and
 * plans it once per connection, the values travel apart from the text (nothing is quoted into it in JavaScript),
 * and none of the ORM's per-statement work runs (em.execute formats every value into the text and goes through
 * knex's runner). It runs where `em` runs: on the transaction's connection inside one, else on a pooled one, so
 * the transaction guard and the statement hook see it as any other statement. Errors are the ORM's exceptions.
 *
 * `sql` uses `?` placeholders, like em.execute (so no jsonb `?` operator, as there).
 */
export class PreparedStatement<R> {
  private readonly text: string;

  constructor(
    private readonly name: string,
    private readonly sql: string,
  ) {
    let n = 0;
    this.text = sql.replace(/\?/g, () => `$${++n}`);
  }

  async run(em: EntityManager, values: unknown[]): Promise<R[]> {
    const client = (em.getTransactionContext<{ client: KnexClient }>() ?? em.getKnex()).client as KnexClient;
    const connection = await client.acquireConnection();
    const started = Date.now();
    try {
      const { rows } = await connection.query<R>({ name: this.name, text: this.text, values });
      em.config.getLogger().logQuery({ query: this.sql, took: Date.now() - started, results: rows.length });
      return rows;
    } catch (e) {
      em.config.getLogger().logQuery({ query: this.sql, took: Date.now() - started, level: 'error' });
      throw em.getDriver().convertException(e as Error);
    } finally {
      await client.releaseConnection(connection);
    }
  }
}
