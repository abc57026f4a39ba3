import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { databaseUrl, TEMPLATE_DATABASE, TEST_DATABASE_URL, workerDatabaseName } from './test-database';

/**
 * Applies the committed migrations once to a template database, then clones it for every worker, so the
 * suites test the migrations themselves and workers never share rows. The migrations run in a child
 * process: MikroORM initialised inside Jest's global setup poisons its metadata for the test realms
 * (mikro-orm/mikro-orm#3783).
 */
export default async function globalSetup(config: { maxWorkers: number }): Promise<void> {
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    const recreate = async (name: string, template?: string) => {
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.query(`create database "${name}"${template ? ` template "${template}"` : ''}`);
    };
    await recreate(TEMPLATE_DATABASE);
    const root = join(__dirname, '..', '..');
    execFileSync(
      process.execPath,
      [require.resolve('ts-node/dist/bin'), '-r', 'tsconfig-paths/register', '--transpile-only', 'src/cli/migrations.ts', 'up'],
      { cwd: root, env: { ...process.env, DATABASE_URL: databaseUrl(TEMPLATE_DATABASE) }, stdio: 'pipe' },
    );
    for (let w = 1; w <= Math.max(1, config.maxWorkers); w++) await recreate(workerDatabaseName(w), TEMPLATE_DATABASE);
  } finally {
    await admin.end();
  }
}
