import { MikroORM } from '@mikro-orm/postgresql';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { RecoveryPointHook } from '@external-tests/assignments';
import { DEFAULT_AUDIENCE, DEV_ISSUER, DevSigningKey, Scope } from '@external-tests/auth';
import { sign } from 'jsonwebtoken';
import { MasteryTrackSandboxOptions, MasteryTrackWriteBackOptions, startSandboxes } from '@external-tests/sandbox';
import { AppHooks, AppModule } from '../../src/app.module';
import { edulasticSandboxEnv, masteryTrackSandboxEnv } from '../../src/cli/sandbox-env';
import { configureApp, createHttpAdapter } from '../../src/configure-app';
import { embeddedDatabaseEnv, workerDatabaseUrl } from './test-database';

export const MT_API_KEY = 'test-mt-api-key';
export const MT_EMAIL = 'integrator@example.org';
export const EDU_USER = 'teacher@example.org';
export const EDU_PASSWORD = 'teacher-password-1';
export const DEV_CLIENT = { id: 'test-client', secret: 'test-secret-value' };

export type Sandboxes = Awaited<ReturnType<typeof startSandboxes>>;

/** The recovery-point hook of a test app: tests set `current` to stop or observe the flow at a point. */
export interface RecoveryPoints {
  current?: RecoveryPointHook;
}

export interface TestApp {
  app: INestApplication;
  recoveryPoints: RecoveryPoints;
  baseUrl: string;
  orm: MikroORM;
  sandboxes: Sandboxes;
  /** The dev issuer's OAuth client: DEV_CLIENT unless the environment names another. */
  client: { id: string; secret: string };
  /** supertest agent on the listening server. */
  http(): ReturnType<typeof request>;
  /** A dev-issuer token; all scopes unless narrowed; `extra` form fields (e.g. `org`). */
  token(scope?: string, extra?: Record<string, string>): Promise<string>;
  /** A token for another OAuth client, signed with the dev issuer's key (the issuer itself knows one client). */
  tokenFor(clientId: string, scope: string): string;
  close(): Promise<void>;
}

/**
 * The full AppModule on the worker's PostgreSQL database, listening on an ephemeral port, with both tool
 * sandboxes on real sockets. Options override environment values.
 */
export async function createTestApp(env: Record<string, string> = {}, o: TestAppOptions = {}): Promise<TestApp> {
  const mtOptions: MasteryTrackSandboxOptions = { apiKey: MT_API_KEY, integratorEmails: [MT_EMAIL] };
  const sandboxes =
    o.sandboxes ??
    (await startSandboxes({
      masteryTrack: mtOptions,
      edulastic: { accounts: [{ username: EDU_USER, password: EDU_PASSWORD }] },
    }));
  const ownSandboxes = !o.sandboxes;
  try {
    const t = await startApp(sandboxes, env, o.hooks ?? {}, ownSandboxes);
    mtOptions.writeBack = writeBackTo(t);
    return t;
  } catch (e) {
    if (ownSandboxes) await sandboxes.close();
    throw e;
  }
}

/** MasteryTrack writes results back to this app, through its dev token issuer. */
export function writeBackTo(t: { baseUrl: string; client?: TestApp['client'] }): MasteryTrackWriteBackOptions {
  const client = t.client ?? DEV_CLIENT;
  return {
    oneRosterBaseUrl: t.baseUrl,
    tokenUrl: `${t.baseUrl}/oauth2/token`,
    clientId: client.id,
    clientSecret: client.secret,
    scope: Scope.GradebookCreatePut,
  };
}

export interface TestAppOptions {
  /** Share another app's sandboxes (several instances against one tool). */
  sandboxes?: Sandboxes;
  hooks?: AppHooks;
}

async function startApp(
  sandboxes: Sandboxes,
  env: Record<string, string>,
  appHooks: AppHooks,
  ownSandboxes: boolean,
): Promise<TestApp> {
  const recoveryPoints: RecoveryPoints = {};
  const hooks: AppHooks = { recoveryPoint: (point, at) => recoveryPoints.current?.(point, at), ...appHooks };
  const appEnv: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: workerDatabaseUrl(),
    DATABASE_PREPARED_STATEMENTS: 'true',
    ...embeddedDatabaseEnv(),
    DATABASE_POOL_MAX: '5',
    AUTH_DEV_ISSUER: 'true',
    AUTH_DEV_CLIENT_ID: DEV_CLIENT.id,
    AUTH_DEV_CLIENT_SECRET: DEV_CLIENT.secret,
    ...masteryTrackSandboxEnv(sandboxes.masteryTrack.url, { apiKey: MT_API_KEY, email: MT_EMAIL }),
    ...edulasticSandboxEnv(sandboxes.edulastic.url, { username: EDU_USER, password: EDU_PASSWORD }),
    VENDOR_TIMEOUT_MS: '2000',
    VENDOR_DEADLINE_MS: '5000',
    ...env,
  };
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(appEnv, hooks)] }).compile();
  const app = moduleRef.createNestApplication(createHttpAdapter({ ...process.env, ...appEnv }), {
    bodyParser: false,
    bufferLogs: true,
  });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const baseUrl = await app.getUrl();
  const http = () => request(baseUrl);
  const client = {
    id: env.AUTH_DEV_CLIENT_ID ?? DEV_CLIENT.id,
    secret: env.AUTH_DEV_CLIENT_SECRET ?? DEV_CLIENT.secret,
  };
  return {
    app,
    recoveryPoints,
    baseUrl: baseUrl.replace('[::1]', '127.0.0.1'),
    orm: app.get(MikroORM),
    sandboxes,
    client,
    http,
    async token(scope?: string, extra: Record<string, string> = {}) {
      const res = await http()
        .post('/oauth2/token')
        .auth(client.id, client.secret)
        .type('form')
        .send({ grant_type: 'client_credentials', ...(scope ? { scope } : {}), ...extra });
      if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.access_token as string;
    },
    tokenFor(clientId: string, scope: string) {
      const key = app.get(DevSigningKey);
      return sign({ scope, client_id: clientId }, key.privateKey, {
        algorithm: 'RS256',
        keyid: key.kid,
        issuer: DEV_ISSUER,
        audience: DEFAULT_AUDIENCE,
        subject: clientId,
        expiresIn: 600,
      });
    },
    async close() {
      await app.close();
      if (ownSandboxes) await sandboxes.close();
    },
  };
}
