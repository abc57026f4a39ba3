import { MikroORM } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ormOptions, PersistenceOptions } from './orm-options';
import type { PgClient } from './prepared-statement';
import { PERSISTENCE_OPTIONS } from './persistence.module-definition';

/** Arbitrary constant naming our migration lock among PostgreSQL advisory locks. */
const MIGRATION_LOCK = 0x45_54_41_01;

/**
 * Applies pending committed migrations before the app serves. Instances starting together serialise on
 * a PostgreSQL advisory lock, so each migration runs once.
 */
@Injectable()
export class MigrationRunner implements OnModuleInit {
  private readonly logger = new Logger(MigrationRunner.name);

  constructor(
    private readonly orm: MikroORM,
    @Inject(PERSISTENCE_OPTIONS) private readonly options: PersistenceOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.options.schema && this.options.connect !== false) await checkSearchPath(this.orm, this.options.schema);
    if (!this.options.lockTimeoutMs && this.options.connect !== false) {
      // A warning only: a server that cannot answer it fails the start elsewhere, not here.
      const warning = await lockTimeoutWarning(this.orm).catch(() => undefined);
      if (warning) this.logger.warn(warning);
    }
    if (this.options.migrate === false) return;
    await applyMigrations(this.orm, (n) => n > 0 && this.logger.log(`Applied ${n} migration(s)`));
  }
}

/** Settings that would end the wait for another instance's migration run: off for that wait, then put back. */
const WAIT_SETTINGS = ['lock_timeout', 'statement_timeout'] as const;

export async function applyMigrations(orm: MikroORM, report?: (applied: number) => void): Promise<void> {
  const knex = orm.em.getKnex();
  // One pooled connection holds the advisory lock for the whole run (knex types its client loosely).
  const client = knex.client as { acquireConnection(): Promise<unknown>; releaseConnection(c: unknown): Promise<void> };
  const connection = await client.acquireConnection();
  let own: Record<string, string> | undefined;
  try {
    // Another instance's run may take longer than lock_timeout or statement_timeout (PersistenceOptions): this wait
    // has neither. The migrations themselves obey both, on the migrator's own connection.
    const shown = await knex
      .raw<{
        rows: Record<string, string>[];
      }>(`select ${WAIT_SETTINGS.map((name) => `current_setting('${name}') ${name}`).join(', ')}`)
      .connection(connection);
    own = shown.rows[0];
    await knex.raw(WAIT_SETTINGS.map((name) => `set ${name} = 0`).join('; ')).connection(connection);
    await knex.raw('select pg_advisory_lock(?)', [MIGRATION_LOCK]).connection(connection);
    try {
      const applied = await orm.migrator.up();
      report?.(applied.length);
    } finally {
      await knex.raw('select pg_advisory_unlock(?)', [MIGRATION_LOCK]).connection(connection);
    }
  } finally {
    // Back to the connection's own settings before the pool hands it out again; if that fails, the pool drops it.
    if (own !== undefined) {
      const settings = own;
      await knex
        .raw(
          `select ${WAIT_SETTINGS.map(() => 'set_config(?, ?, false)').join(', ')}`,
          WAIT_SETTINGS.flatMap((name) => [name, settings[name]]),
        )
        .connection(connection)
        .catch(() => ((connection as PgClient).__knex__disposed = 'wait settings not restored'));
    }
    await client.releaseConnection(connection);
  }
}

/**
 * Applies our pending migrations to the database (and schema) of `options`, then disconnects: for a host's
 * deploy step, or a host that starts PersistenceModule with `migrate: false`. Returns how many ran.
 */
export async function runMigrations(options: Pick<PersistenceOptions, 'clientUrl' | 'schema'>): Promise<number> {
  // Two connections: one holds the advisory lock, the migrator's transaction takes the other.
  const orm = await MikroORM.init(ormOptions({ ...options, poolMax: 2 }));
  let applied = 0;
  try {
    if (options.schema) await checkSearchPath(orm, options.schema);
    await applyMigrations(orm, (n) => (applied = n));
  } finally {
    await orm.close(true);
  }
  return applied;
}

/**
 * The schema reaches each connection as a startup option; a pooler that drops startup options (PgBouncer with
 * `ignore_startup_parameters = options`) would send our unqualified SQL to the host's schema. Refuse to start then.
 */
async function checkSearchPath(orm: MikroORM, schema: string): Promise<void> {
  const [row] = await orm.em.getConnection().execute<{ search_path: string }[]>('show search_path');
  if (row?.search_path !== schema) {
    throw new Error(
      `PersistenceOptions.schema is '${schema}' but the connection's search_path is '${row?.search_path}': ` +
        'does a pooler drop the startup option `options`? Connect directly, or let it pass startup options through.',
    );
  }
}

/**
 * Left to the server (lockTimeoutMs unset or 0), the lock timeout is whatever a connection reads: the role's or the
 * database's setting, which behind a transaction-mode pooler is the only one that holds. None at all is worth a
 * warning at start, since nothing else would show it until a stuck transaction hangs every request that needs its
 * rows.
 */
async function lockTimeoutWarning(orm: MikroORM): Promise<string | undefined> {
  const [row] = await orm.em.getConnection().execute<{ lock_timeout: string }[]>('show lock_timeout');
  if (row?.lock_timeout !== '0') return undefined;
  return (
    'No lock timeout: lockTimeoutMs is unset or 0 (service: DATABASE_LOCK_TIMEOUT_MS) and the server sets none, so a ' +
    'request that waits for a row another session holds waits until its client gives up. Set lockTimeoutMs, or ' +
    "behind a transaction-mode pooler the role's lock_timeout (alter role … set lock_timeout = '5s')."
  );
}
