import { Client } from 'pg';

/**
 * Each Jest worker gets its own database cloned from a migrated template (see global-setup.ts). Names carry
 * the run id so two test runs on one server never drop each other's databases.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

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

export function workerDatabaseUrl(): string {
  return databaseUrl(workerDatabaseName(process.env.JEST_WORKER_ID ?? '1'));
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
