import { Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export interface PersistenceOptions {
  /** postgresql://… of the server to use. */
  clientUrl: string;
  poolMax?: number;
  /** Log every SQL statement through this function (the benchmark counts them). */
  onQuery?: (sql: string) => void;
  /** Apply pending migrations when the module starts (default true). */
  migrate?: boolean;
  /** Connect at start (default true); false for tooling that only needs the module graph (OpenAPI export). */
  connect?: boolean;
}

/** The one MikroORM configuration, shared by the app, the CLI commands and the tests. */
export function ormOptions(o: PersistenceOptions): Options<PostgreSqlDriver> {
  return {
    driver: PostgreSqlDriver,
    clientUrl: o.clientUrl,
    entities: ENTITIES,
    extensions: [Migrator],
    pool: { min: 0, max: o.poolMax ?? 10, idleTimeoutMillis: 30_000 },
    // Fail fast when the pool is exhausted instead of queueing forever.
    driverOptions: { connection: { connectionTimeoutMillis: 10_000 }, acquireConnectionTimeout: 10_000 },
    migrations: {
      tableName: 'mikro_orm_migrations',
      migrationsList: MIGRATIONS,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
    forceUtcTimezone: true,
    debug: o.onQuery ? ['query'] : false,
    logger: o.onQuery ?? (() => undefined),
    discovery: { warnWhenNoEntities: true },
    ensureDatabase: false,
    connect: o.connect ?? true,
    allowGlobalContext: false,
  };
}
