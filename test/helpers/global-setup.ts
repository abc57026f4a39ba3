import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedTestDatabases } from './embedded-test-databases';
import {
  databaseUrl,
  EMBEDDED_URLS_ENV,
  templateDatabaseName,
  TEST_DATABASE_URL,
  workerDatabaseName,
} from './test-database';

/** What global teardown stops (global setup and teardown share Jest's parent process). */
export const EMBEDDED_STOP = Symbol.for('eta.test.embeddedDatabases.stop');

/**
 * On the PostgreSQL of TEST_DATABASE_URL: applies the committed migrations once to a template database, then
 * clones it for every worker, so the suites test the migrations themselves and workers never share rows. The
 * migrations run in a child process: MikroORM initialised inside Jest's global setup poisons its metadata for
 * the test realms (mikro-orm/mikro-orm#3783).
 * When no PostgreSQL answers there (a machine with only Node), or TEST_EMBEDDED_DATABASE=true: one migrated
 * embedded database per worker, what `npm start` runs on.
 */
export default async function globalSetup(config: { maxWorkers: number }): Promise<void> {
  process.env.ETA_TEST_RUN = `${process.pid}${Date.now().toString(36)}`;
  const workers = Math.max(1, config.maxWorkers);
  const forced = process.env.TEST_EMBEDDED_DATABASE === 'true';
  const unreachable = forced ? undefined : await postgresUnreachable();
  if (!forced && !unreachable) return preparePostgres(workers);

  const reason = forced ? 'TEST_EMBEDDED_DATABASE=true' : `no PostgreSQL at ${TEST_DATABASE_URL} (${unreachable})`;
  process.stdout.write(`\nTests run on the embedded database (PGlite), one per worker: ${reason}.\n\n`);
  const embedded = await startEmbeddedTestDatabases(workers);
  process.env[EMBEDDED_URLS_ENV] = JSON.stringify(embedded.urls);
  (globalThis as Record<symbol, unknown>)[EMBEDDED_STOP] = embedded.stop;
}

/** Why nothing answers at TEST_DATABASE_URL, or undefined when a server does. Other failures are thrown. */
async function postgresUnreachable(): Promise<string | undefined> {
  const probe = new Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3_000 });
  try {
    await probe.connect();
    return undefined;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code && ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ENOENT'].includes(code)) return code;
    if (e instanceof Error && /timeout/i.test(e.message)) return 'timeout';
    throw e;
  } finally {
    await probe.end().catch(() => undefined);
  }
}

async function preparePostgres(workers: number): Promise<void> {
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    // Databases of earlier runs that died before their teardown.
    const stale = await admin.query<{ datname: string }>(
      "select datname from pg_database where datname like 'eta\\_test\\_%' and datname not like $1",
      [`eta_test_${process.env.ETA_TEST_RUN}%`],
    );
    for (const { datname } of stale.rows) {
      const pid = Number(/^eta_test_(\d+)/.exec(datname)?.[1]);
      if (!pid || !isAlive(pid)) await admin.query(`drop database if exists "${datname}" with (force)`);
    }
    await admin.query(`create database "${templateDatabaseName()}"`);
    execFileSync(
      process.execPath,
      [
        require.resolve('ts-node/dist/bin'),
        '-r',
        'tsconfig-paths/register',
        '--transpile-only',
        'src/cli/migrations.ts',
        'up',
      ],
      {
        cwd: join(__dirname, '..', '..'),
        env: { ...process.env, DATABASE_URL: databaseUrl(templateDatabaseName()) },
        stdio: 'pipe',
      },
    );
    for (let w = 1; w <= workers; w++) {
      await admin.query(`create database "${workerDatabaseName(w)}" template "${templateDatabaseName()}"`);
    }
  } finally {
    await admin.end();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
