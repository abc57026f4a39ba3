import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { databaseUrl, templateDatabaseName, TEST_DATABASE_URL, workerDatabaseName } from './test-database';

/**
 * Applies the committed migrations once to a template database, then clones it for every worker, so the
 * suites test the migrations themselves and workers never share rows. The migrations run in a child
 * process: MikroORM initialised inside Jest's global setup poisons its metadata for the test realms
 * (mikro-orm/mikro-orm#3783).
 */
export default async function globalSetup(config: { maxWorkers: number }): Promise<void> {
  process.env.ETA_TEST_RUN = `${process.pid}${Date.now().toString(36)}`;
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
    for (let w = 1; w <= Math.max(1, config.maxWorkers); w++) {
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
