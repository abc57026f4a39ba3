import { EntityManager, Options } from '@mikro-orm/core';
import { Logger } from '@nestjs/common';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { ENTITIES } from './entities';
import { StatementLogger } from './statement-logger';
import { MIGRATIONS } from './migrations';

export interface PersistenceOptions {
  /** postgresql://… of the server to use. */
  clientUrl: string;
  poolMax?: number;
  /** Every SQL statement as sent, `?` placeholders, begin and commit included (the benchmark and tests count them). */
  onQuery?: (sql: string) => void;
  /**
   * Send the request path's statements as prepared statements, so each connection's session keeps their plans
   * (default true; runPrepared). False where a session is not one connection's: the embedded database, or a pooler
   * that does not keep prepared statements (PgBouncer in transaction mode before 1.21 or without
   * max_prepared_statements); they then go through em.execute.
   */
  preparedStatements?: boolean;
  /**
   * Open MikroORM's request context (a fork of `em` per request) with its Nest middleware (default true). False
   * when the host opens it itself, e.g. in a Fastify hook as the app does, so that no Nest middleware runs per
   * request. forRoot only: forRootAsync always registers the middleware.
   */
  registerRequestContext?: boolean;
  /**
   * Where the ORM finds the current request's EntityManager (MikroORM's `context` option; default its
   * RequestContext). For a host that keeps its own request scope, together with `registerRequestContext: false`.
   */
  context?: (name: string) => EntityManager | undefined;
  /** Apply pending migrations when the module starts (default true). */
  migrate?: boolean;
  /** Connect at start (default true); false for tooling that only needs the module graph (OpenAPI export). */
  connect?: boolean;
  /**
   * PostgreSQL schema that holds our tables and our migration log (default: none, i.e. the server's search_path,
   * normally `public`). A host sharing its database with us sets one, so our table names (`users`, `classes`, …)
   * never meet its own. Every connection of our pool gets `search_path` = this schema.
   */
  schema?: string;
  /**
   * How long a statement waits for a lock another session holds before PostgreSQL ends it with 55P03 (lock_timeout,
   * set on each new connection), in whole milliseconds. A transaction stuck holding a row then costs the requests
   * that need it a 503 BUSY after this long instead of hanging until their clients give up. Migrations at start obey
   * it too, except the wait for another instance's migration run. Unset or 0: the server's setting (its own or the
   * role's, normally none) — behind a pooler in transaction mode a session setting does not follow the client, so
   * set it on the role there (`alter role … set lock_timeout`).
   */
  lockTimeoutMs?: number;
  /**
   * How long a connection may sit idle inside an open transaction before PostgreSQL ends its session
   * (idle_in_transaction_session_timeout, set on each new connection as lock_timeout is), in whole milliseconds. Our
   * transactions wait on nothing but their own statements, so such a session is a stalled process (paused,
   * stopped, its event loop blocked) holding rows that other instances' requests then wait for; ended, its locks go
   * and its own request fails as on a lost connection (503 BUSY). Unset or 0: the server's setting (normally none).
   * Never on a database with one session behind every connection (the embedded one): it stops answering once the
   * timeout fires. A host whose own code holds a transaction open across a wait (a ResultEvents listener calling out)
   * needs a timeout above that wait.
   */
  idleInTransactionTimeoutMs?: number;
  /**
   * How long one statement may run before PostgreSQL cancels it with 57014 (statement_timeout, set on each new
   * connection as lock_timeout is), in whole milliseconds. Our request path's statements take milliseconds; one that
   * runs this long (a slow server, a runaway filter) then answers 503 BUSY and gives its connection back, instead of
   * holding it until it ends. Migrations at start obey it too, except the wait for another instance's migration run.
   * Unset or 0: the server's setting (normally none).
   */
  statementTimeoutMs?: number;
}

/** A plain lower-case identifier: it goes into a connection option and into DDL unquoted. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The one MikroORM configuration, shared by the app, the CLI commands and the tests. */
export function ormOptions(o: PersistenceOptions): Options<PostgreSqlDriver> {
  if (o.schema !== undefined && !SCHEMA_NAME.test(o.schema)) {
    throw new Error(
      `schema must be a lower-case PostgreSQL identifier (${SCHEMA_NAME.source}), got ${JSON.stringify(o.schema)}`,
    );
  }
  const settings = sessionSettings({
    lock_timeout: ['lockTimeoutMs', o.lockTimeoutMs],
    idle_in_transaction_session_timeout: ['idleInTransactionTimeoutMs', o.idleInTransactionTimeoutMs],
    statement_timeout: ['statementTimeoutMs', o.statementTimeoutMs],
  });
  const searchPath = o.schema ? { options: `-c search_path=${o.schema}` } : {};
  return {
    driver: PostgreSqlDriver,
    clientUrl: o.clientUrl,
    entities: ENTITIES,
    extensions: [Migrator],
    pool: {
      min: 0,
      max: o.poolMax ?? 10,
      idleTimeoutMillis: 30_000,
      afterCreate: onConnect(settings),
    },
    // Fail fast when the pool is exhausted instead of queueing forever.
    driverOptions: {
      connection: { connectionTimeoutMillis: 10_000, ...searchPath },
      acquireConnectionTimeout: 10_000,
      log: KNEX_LOG,
    },
    migrations: {
      // The migrator creates the schema (if missing) before its log table, so a first run needs nothing else.
      tableName: o.schema ? `${o.schema}.mikro_orm_migrations` : 'mikro_orm_migrations',
      migrationsList: MIGRATIONS,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
    forceUtcTimezone: true,
    debug: false,
    ...(o.onQuery ? { loggerFactory: () => new StatementLogger(o.onQuery!) } : { logger: () => undefined }),
    discovery: { warnWhenNoEntities: true },
    ensureDatabase: false,
    connect: o.connect ?? true,
    allowGlobalContext: false,
    ...(o.context ? { context: o.context } : {}),
  };
}

/**
 * What knex reports (a pooled connection's error, a deprecation) goes to the app's logger, one line each: knex's own
 * logger writes to stdout with console.log, outside the JSON log and its redaction, some of it with a stack.
 */
const knexLogger = new Logger('Database');
const firstLine = (message: unknown) => String(message).split('\n', 1)[0];
const KNEX_LOG = {
  warn: (message: unknown) => knexLogger.warn(firstLine(message)),
  error: (message: unknown) => knexLogger.error(firstLine(message)),
  deprecate: (message: unknown) => knexLogger.warn(firstLine(message)),
  debug: () => undefined,
};

/** PostgreSQL's integer settings are 32-bit. */
const MAX_INT4 = 2 ** 31 - 1;

interface RawConnection {
  query(sql: string, done: (e?: Error) => void): void;
  end(): Promise<void>;
  on(event: 'error' | 'end', listener: (e?: unknown) => void): void;
  __knex__disposed?: unknown;
}

/**
 * The `set` statements for the millisecond settings given (none for unset or 0: the server's then), as one text.
 * Each must be a whole number of milliseconds within PostgreSQL's integer range.
 */
function sessionSettings(ms: Record<string, [option: string, value: number | undefined]>): string | undefined {
  const sets: string[] = [];
  for (const [setting, [option, value]] of Object.entries(ms)) {
    if (value === undefined) continue;
    if (!(Number.isInteger(value) && value >= 0 && value <= MAX_INT4))
      throw new Error(`${option} must be a whole number of milliseconds from 0 to ${MAX_INT4}, got ${value}`);
    if (value > 0) sets.push(`set ${setting} = ${value}`);
  }
  return sets.length ? sets.join('; ') : undefined;
}

/**
 * knex's afterCreate, as the pool opens a connection: the settings in one round trip (not in the startup packet's
 * `options`, as the schema's search_path goes: PgBouncer refuses a connection that sends them unless configured to
 * ignore them); knex does not close a connection whose afterCreate fails, and the pool retries, so it is closed here.
 */
function onConnect(settings: string | undefined) {
  return (connection: RawConnection, done: (e?: Error, c?: RawConnection) => void) => {
    keepFirstFailure(connection);
    if (!settings) return done(undefined, connection);
    connection.query(settings, (e) => {
      if (!e) return done(undefined, connection);
      void connection.end().catch(() => undefined);
      done(e);
    });
  };
}

/**
 * knex marks a failed connection with its last event, "Connection ended unexpectedly" once the socket closes, and
 * logs that as the pool drops it. The first failure says why (the server's FATAL: 25P03 for a transaction left idle,
 * 57P01 for an administrator's terminate), so that is the mark kept.
 */
function keepFirstFailure(connection: RawConnection): void {
  let first: unknown;
  connection.on('error', (e) => (first ??= e));
  // After knex's own listener, which the pg client got first.
  connection.on('end', () => {
    if (first !== undefined) connection.__knex__disposed = first;
  });
}
