import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { databaseUrl, templateDatabaseName, TEST_DATABASE_URL, workerDatabaseName } from './test-database';
import { workerPorts } from './worker-ports';

export interface DevStackWorkspace {
  /** The scratch folder (sandbox state, an embedded database's files). */
  dir(): string;
  /** npm start's environment on this workspace's database and folder, on ports free now, logs off. */
  env(): Promise<Record<string, string>>;
}

/**
 * What a suite running `npm start`'s stack needs of its own: a database on the test server (from the worker's
 * template; the embedded one needs ESM loading Jest lacks) and a scratch folder, made in beforeAll and removed in
 * afterAll. `name` keeps two suites of one worker apart.
 */
export function devStackWorkspace(name: string): DevStackWorkspace {
  const dbName = `${workerDatabaseName(process.env.JEST_WORKER_ID ?? '1')}_${name}`;
  let dir = '';
  beforeAll(async () => {
    await admin(`create database "${dbName}" template "${templateDatabaseName()}"`);
    dir = mkdtempSync(join(tmpdir(), `eta-${name}-`));
  });
  afterAll(async () => {
    await admin(`drop database if exists "${dbName}" with (force)`);
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir: () => dir,
    async env() {
      const [port, mt, edu] = await workerPorts(3);
      return {
        PORT: String(port),
        SANDBOX_MASTERY_TRACK_PORT: String(mt),
        SANDBOX_EDULASTIC_PORT: String(edu),
        DATABASE_URL: databaseUrl(dbName),
        SANDBOX_STATE_DIR: join(dir, 'sandboxes'),
        LOG_LEVEL: 'silent',
      };
    },
  };
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
