import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** The production entry point (src/main.ts) with `env`, until it exits: its code and what it wrote to stderr. */
function boot(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'src/main.ts'],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH, NODE_ENV: 'test', LOG_LEVEL: 'info', AUTH_DEV_ISSUER: 'true', PORT: '0', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stderr });
    }),
  );
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The one line a failed start writes: JSON, level 60, no stack frames. */
function failureLine(stderr: string): { level: number; context: string; msg: string } {
  expect(stderr).not.toMatch(/^\s+at /m);
  const lines = stderr.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as { level: number; context: string; msg: string };
}

describe('a start that fails', () => {
  it('cannot reach the database: exit 1 and one line naming where DATABASE_URL points, without its password', async () => {
    const port = await closedPort();
    const { code, stderr } = await boot({ DATABASE_URL: `postgresql://app:s3cret@127.0.0.1:${port}/app` });
    expect(code).toBe(1);
    expect(failureLine(stderr)).toMatchObject({
      level: 60,
      context: 'Bootstrap',
      msg: expect.stringMatching(
        new RegExp(
          `^The database at 127\\.0\\.0\\.1:${port}/app \\(DATABASE_URL\\) could not be reached: .*ECONNREFUSED`,
        ),
      ),
    });
    expect(stderr).not.toContain('s3cret');
  }, 90_000);

  it('a bad value: exit 1 and one line naming every bad variable, alone or clustered', async () => {
    for (const workers of ['1', '2']) {
      const { code, stderr } = await boot({
        WEB_CONCURRENCY: workers,
        DATABASE_URL: 'postgresql://app@127.0.0.1:1/app',
        SANDBOX_TOOLS: 'maybe',
        HTTP_PROXY: 'notaurl:s3cret',
      });
      expect(code).toBe(1);
      const { msg } = failureLine(stderr);
      expect(msg).toMatch(/^Invalid configuration: - /);
      expect(msg).toContain('SANDBOX_TOOLS: SANDBOX_TOOLS must be true or false');
      expect(msg).toContain('HTTP_PROXY: must be a proxy URL');
      expect(stderr).not.toContain('s3cret');
    }
  }, 120_000);
});
