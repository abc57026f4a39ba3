import { Client } from 'pg';

/**
 * Each Jest worker gets its own database: on the PostgreSQL of TEST_DATABASE_URL a clone of a migrated
 * template, else (nothing answers there, or TEST_EMBEDDED_DATABASE=true) an embedded database of its own (see
 * global-setup.ts). Names carry the run id so two test runs on one server never drop each other's databases.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** Set by global setup when the run uses embedded databases: their URLs, worker 1 first. */
export const EMBEDDED_URLS_ENV = 'ETA_TEST_EMBEDDED_URLS';

export function runId(): string {
  const id = process.env.ETA_TEST_RUN;
  if (!id) throw new Error('ETA_TEST_RUN is not set: run the tests through jest (global-setup.ts sets it)');
  return id;
}

export const templateDatabaseName = () => `eta_test_${runId()}_template`;
export const workerDatabaseName = (worker: string | number) => `eta_test_${runId()}_w${worker}`;

export function databaseUrl(name: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** True when this run's databases are embedded ones. */
export const onEmbeddedDatabase = () => !!process.env[EMBEDDED_URLS_ENV];

/**
 * The app's settings for a database with one session behind every connection, as `npm start` sets them (no prepared
 * statement names, no idle-in-transaction timeout: PGlite stops answering once it fires); nothing elsewhere.
 */
export const embeddedDatabaseEnv = (embedded = onEmbeddedDatabase()): Record<string, string> =>
  embedded ? { DATABASE_PREPARED_STATEMENTS: 'false', DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '0' } : {};

export function workerDatabaseUrl(): string {
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  const embedded = process.env[EMBEDDED_URLS_ENV];
  if (embedded) return (JSON.parse(embedded) as string[])[worker - 1];
  return databaseUrl(workerDatabaseName(worker));
}

/**
 * A database of its own, cloned from the migrated template, for a suite that must start from known data (the
 * demo data, as `npm start` has it) whatever the worker's earlier suites left. Dropped by the global teardown.
 */
export async function freshDatabaseUrl(label: string): Promise<string> {
  const name = `${workerDatabaseName(process.env.JEST_WORKER_ID ?? '1')}_${label}`;
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.query(`create database "${name}" template "${templateDatabaseName()}"`);
  } finally {
    await admin.end();
  }
  return databaseUrl(name);
}
