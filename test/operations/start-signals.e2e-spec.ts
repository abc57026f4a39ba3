import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { freePort } from '../../src/cli/free-port';
import { databaseUrl, templateDatabaseName, TEST_DATABASE_URL, workerDatabaseName } from '../helpers/test-database';

const ROOT = join(__dirname, '..', '..');

/**
 * `npm start` in a terminal: Ctrl-C sends SIGINT to the process group, and npm forwards its own, so the service gets
 * two at once. The second must not end it before the stack has closed (once, it did: Node's default action, the
 * database left unclosed and nothing said).
 */
describe("npm start: Ctrl-C (two SIGINTs, the terminal's and npm's) closes everything, then says so", () => {
  const dbName = `${workerDatabaseName(process.env.JEST_WORKER_ID ?? '1')}_start`;
  let dir: string;

  const admin = async (sql: string) => {
    const client = new Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    await admin(`create database "${dbName}" template "${templateDatabaseName()}"`);
    dir = mkdtempSync(join(tmpdir(), 'eta-start-'));
  });
  afterAll(async () => {
    await admin(`drop database if exists "${dbName}" with (force)`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 after "Stopped.", with its ports closed', async () => {
    const [port, mt, edu] = await Promise.all([freePort(), freePort(), freePort()]);
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'src/cli/start.ts'],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          PORT: String(port),
          SANDBOX_MASTERY_TRACK_PORT: String(mt),
          SANDBOX_EDULASTIC_PORT: String(edu),
          DATABASE_URL: databaseUrl(dbName),
          SANDBOX_STATE_DIR: join(dir, 'sandboxes'),
          LOG_LEVEL: 'silent',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const exited = new Promise<number | string | null>((r) => child.once('exit', (code, signal) => r(code ?? signal)));
    for (let i = 0; i < 240 && !out.includes('is running at'); i++) await sleep(250);
    expect(out).toContain(`is running at http://127.0.0.1:${port}`);

    child.kill('SIGINT');
    // npm's comes a moment later, while the stack closes (sent together, the two would arrive as one).
    await sleep(2);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out.trimEnd().endsWith('Stopped.')).toBe(true);
    await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
  }, 90_000);
});
