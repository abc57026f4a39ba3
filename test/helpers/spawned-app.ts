import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { edulasticSandboxEnv, masteryTrackSandboxEnv } from '../../src/cli/sandbox-env';
import { DEV_CLIENT, EDU_PASSWORD, EDU_USER, MT_API_KEY, MT_EMAIL, Sandboxes } from './test-app';
import { embeddedDatabaseEnv, workerDatabaseUrl } from './test-database';
import { workerPort } from './worker-ports';

const ROOT = join(__dirname, '..', '..');

export interface SpawnedApp {
  process: ChildProcess;
  baseUrl: string;
  /** Everything the process (and its workers) wrote to stdout and stderr so far. */
  logs(): string;
  /** SIGTERM (or `signal`), then the exit code (or signal) once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | string | null>;
}

/**
 * The production entry point (src/main.ts) in a process of its own, on this worker's test database and the given
 * sandboxes, for what only a real process shows (module instrumentation, node:cluster, signals). Resolves once it
 * answers on its port, a port of this worker's own band (workerPort). Something outside the suite could still bind it
 * first and answer for it, so the child must show it served the probe itself, and a child that found its port taken
 * is started again on another one.
 */
export async function spawnApp(sandboxes: Sandboxes, env: Record<string, string> = {}): Promise<SpawnedApp> {
  for (let tries = 1; ; tries++) {
    const app = await spawnOnce(sandboxes, env);
    if (app !== 'port taken') return app;
    if (tries === 3) throw new Error('three ports in a row were taken before the app bound them');
  }
}

async function spawnOnce(sandboxes: Sandboxes, env: Record<string, string>): Promise<SpawnedApp | 'port taken'> {
  const port = await workerPort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const {
    child,
    output: logs,
    exited,
  } = spawnEntry('src/main.ts', {
    NODE_ENV: 'test',
    PORT: String(port),
    LOG_LEVEL: 'info',
    DATABASE_URL: workerDatabaseUrl(),
    ...embeddedDatabaseEnv(),
    AUTH_DEV_ISSUER: 'true',
    AUTH_DEV_CLIENT_ID: DEV_CLIENT.id,
    AUTH_DEV_CLIENT_SECRET: DEV_CLIENT.secret,
    ...masteryTrackSandboxEnv(sandboxes.masteryTrack.url, { apiKey: MT_API_KEY, email: MT_EMAIL }),
    ...edulasticSandboxEnv(sandboxes.edulastic.url, { username: EDU_USER, password: EDU_PASSWORD }),
    ...env,
  });
  const app: SpawnedApp = {
    process: child,
    baseUrl,
    logs,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  // /metrics is in the access log (with the request id it was sent) and outside tracing (no span to count).
  const probe = `spawn-probe-${process.pid}-${port}`;
  for (let i = 0; i < 480; i++) {
    const answered = await request(baseUrl)
      .get('/metrics')
      .set('X-Request-Id', probe)
      .then(
        () => true,
        () => false,
      );
    if (answered && logs().includes(probe)) return app;
    if (logs().includes('EADDRINUSE')) {
      await app.stop();
      return 'port taken';
    }
    if (child.exitCode !== null) break;
    await sleep(250);
  }
  await app.stop();
  throw new Error(`the app did not start:\n${logs()}`);
}

export interface SpawnedEntry {
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Its exit code, or the signal that ended it. */
  exited: Promise<number | string | null>;
}

/** One of this repository's TypeScript entry points (`src/…`) in a process of its own, on `env` over this one's. */
export function spawnEntry(entry: string, env: Record<string, string>): SpawnedEntry {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', entry],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const exited = new Promise<number | string | null>((r) => child.once('exit', (code, signal) => r(code ?? signal)));
  return { child, output: () => output, exited };
}

/** A dev-issuer token from a spawned app. */
export async function spawnedToken(app: SpawnedApp): Promise<string> {
  const res = await request(app.baseUrl)
    .post('/oauth2/token')
    .auth(DEV_CLIENT.id, DEV_CLIENT.secret)
    .type('form')
    .send({ grant_type: 'client_credentials' })
    .expect(200);
  return (res.body as { access_token: string }).access_token;
}
