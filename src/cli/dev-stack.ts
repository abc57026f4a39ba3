import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EmbeddedDatabase, startEmbeddedDatabase } from '../dev/embedded-database';
import { DEV_TOKEN_PATH, Scope } from '@external-tests/auth';
import { startSandboxes, Sandboxes } from '@external-tests/sandbox';
import { AppModule } from '../app.module';
import { configureApp, createHttpAdapter } from '../configure-app';
import { validateEnv } from '../config/validate-env';
import { busyPorts } from './free-port';
import { resetDevState } from './reset-dev-state';
import { edulasticSandboxEnv, masteryTrackSandboxEnv, SANDBOX_EDU, SANDBOX_MT } from './sandbox-env';
import { SeedDocument, SeedLoader } from '@external-tests/oneroster';
import { RequestContext } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';

/** fixtures/demo.json, found from both src/cli (ts-node) and dist/src/cli (build). */
export const DEMO_FIXTURE = [resolve(__dirname, '..', '..'), resolve(__dirname, '..', '..', '..')]
  .map((root) => resolve(root, 'fixtures', 'demo.json'))
  .find((p) => existsSync(p))!;

export interface DevStack {
  app: INestApplication;
  baseUrl: string;
  env: ReturnType<typeof validateEnv>;
  sandboxes?: Sandboxes;
  /** True when the embedded database serves this run. */
  embeddedDatabase: boolean;
  /** The folders `fresh` deleted before starting. */
  wiped: string[];
  close(): Promise<void>;
}

export interface DevStackOptions {
  /** Delete the embedded database and the sandboxes' state first (`npm run reset`). */
  fresh?: boolean;
}

/**
 * Everything `npm start` and `npm run demo` need on a laptop: the embedded database unless DATABASE_URL is
 * set, the tool sandboxes unless turned off or pointed elsewhere (their state kept in SANDBOX_STATE_DIR, so a
 * restart continues where the last run stopped), the dev token issuer, demo data. The port opens last, once
 * migrations and demo data are in place: whoever waits for it finds a ready service.
 */
export async function startDevStack(defaults: Record<string, string> = {}, o: DevStackOptions = {}): Promise<DevStack> {
  const raw: Record<string, string | undefined> = {
    AUTH_DEV_ISSUER: 'true',
    SANDBOX_TOOLS: 'true',
    SEED_DEMO_DATA: 'true',
    ...defaults,
    ...process.env,
  };
  const pre = validateEnv(raw);
  const overrides: Record<string, string> = {};
  let db: EmbeddedDatabase | undefined;
  let sandboxes: Sandboxes | undefined;
  let app: INestApplication | undefined;
  const selfUrl = pre.PUBLIC_BASE_URL ?? `http://127.0.0.1:${pre.PORT}`;
  // A running stack (or anything else) on our ports: say so before touching anything, so a reset never deletes
  // the data of a stack that is still running.
  const busy = await busyPorts(
    [
      pre.PORT,
      ...(pre.DATABASE_URL ? [] : [pre.EMBEDDED_DB_PORT]),
      ...(pre.SANDBOX_TOOLS ? [pre.SANDBOX_MASTERY_TRACK_PORT, pre.SANDBOX_EDULASTIC_PORT] : []),
    ],
    pre.HOST,
  );
  if (busy.length > 0) {
    throw new Error(
      `port ${busy.join(', ')} on ${pre.HOST} is in use: is npm start already running? Stop it first` +
        (o.fresh ? ' (nothing was deleted)' : '') +
        ', or choose other ports (PORT, EMBEDDED_DB_PORT, SANDBOX_*_PORT)',
    );
  }
  const wiped = o.fresh ? resetDevState(pre) : [];
  const stateDir = resolve(pre.SANDBOX_STATE_DIR);

  if (!pre.DATABASE_URL) {
    db = await startEmbeddedDatabase({ dataDir: resolve(pre.EMBEDDED_DB_DIR), port: pre.EMBEDDED_DB_PORT });
    overrides.DATABASE_URL = db.clientUrl;
    // One session behind every connection: a statement name prepared on one would clash on the next.
    overrides.DATABASE_PREPARED_STATEMENTS = 'false';
    // PGlite stops answering once that timeout fires.
    overrides.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS = '0';
  }
  try {
    if (pre.SANDBOX_TOOLS) {
      sandboxes = await startSandboxes({
        masteryTrack: {
          port: pre.SANDBOX_MASTERY_TRACK_PORT,
          stateFile: join(stateDir, 'mastery-track.json'),
          apiKey: SANDBOX_MT.apiKey,
          integratorEmails: [SANDBOX_MT.email],
          latencyMs: pre.SANDBOX_LATENCY_MS,
          writeBack: {
            oneRosterBaseUrl: selfUrl,
            tokenUrl: `${selfUrl}${DEV_TOKEN_PATH}`,
            clientId: pre.AUTH_DEV_CLIENT_ID,
            clientSecret: pre.AUTH_DEV_CLIENT_SECRET,
            scope: Scope.GradebookCreatePut,
            readScope: Scope.GradebookReadonly,
          },
        },
        edulastic: {
          port: pre.SANDBOX_EDULASTIC_PORT,
          stateFile: join(stateDir, 'edulastic.json'),
          latencyMs: pre.SANDBOX_LATENCY_MS,
          accounts: [SANDBOX_EDU],
        },
      });
      if (!pre.MASTERY_TRACK_BASE_URL)
        Object.assign(overrides, masteryTrackSandboxEnv(sandboxes.masteryTrack.url, SANDBOX_MT));
      if (!pre.EDULASTIC_BASE_URL) Object.assign(overrides, edulasticSandboxEnv(sandboxes.edulastic.url, SANDBOX_EDU));
    }
    const env = validateEnv({ ...raw, ...overrides });
    app = await NestFactory.create(
      AppModule.forRoot({ ...raw, ...overrides }),
      createHttpAdapter({ ...raw, ...overrides }),
      { bufferLogs: true, bodyParser: false },
    );
    configureApp(app, { shutdownHooks: false });
    await app.init(); // applies migrations
    if (sandboxes && !pre.EDULASTIC_BASE_URL && !sandboxes.edulastic.restored) {
      // A fresh sandbox remembers nothing: forget the classes and logins cached for an earlier run's sandbox.
      await app
        .get(MikroORM)
        .em.fork()
        .getConnection()
        .execute("delete from tool_classes where tool = 'edulastic'; delete from tool_logins where tool = 'edulastic'");
    }
    if (env.SEED_DEMO_DATA) {
      const doc = JSON.parse(readFileSync(DEMO_FIXTURE, 'utf8')) as SeedDocument;
      const loader = app.get(SeedLoader);
      await RequestContext.create(app.get(MikroORM).em, () => loader.load(doc, selfUrl));
    }
    await app.listen(env.PORT, env.HOST);
    const started = app;
    return {
      app,
      baseUrl: selfUrl,
      env,
      sandboxes,
      embeddedDatabase: db !== undefined,
      wiped,
      async close() {
        await started.close();
        await sandboxes?.close();
        await db?.close();
      },
    };
  } catch (e) {
    await app?.close();
    await sandboxes?.close();
    await db?.close();
    throw e;
  }
}
