import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startEmbeddedDatabase, EmbeddedDatabase } from '@app/persistence';
import { Scope } from '@app/auth';
import { startSandboxes, Sandboxes } from '@app/sandbox';
import { AppModule } from '../app.module';
import { configureApp } from '../configure-app';
import { validateEnv } from '../config/validate-env';
import { edulasticSandboxEnv, masteryTrackSandboxEnv, SANDBOX_EDU, SANDBOX_MT } from './sandbox-env';
import { SeedDocument, SeedLoader } from '@app/oneroster';
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
  close(): Promise<void>;
}

/**
 * Everything `npm start` and `npm run demo` need on a laptop: the embedded database unless DATABASE_URL is
 * set, the tool sandboxes unless turned off or pointed elsewhere, the dev token issuer, demo data.
 */
export async function startDevStack(defaults: Record<string, string> = {}): Promise<DevStack> {
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
  const selfUrl = pre.PUBLIC_BASE_URL ?? `http://127.0.0.1:${pre.PORT}`;

  if (!pre.DATABASE_URL) {
    db = await startEmbeddedDatabase({ dataDir: resolve(pre.EMBEDDED_DB_DIR), port: pre.EMBEDDED_DB_PORT });
    overrides.DATABASE_URL = db.clientUrl;
  }
  try {
    if (pre.SANDBOX_TOOLS) {
      sandboxes = await startSandboxes({
        masteryTrack: {
          port: pre.SANDBOX_MASTERY_TRACK_PORT,
          apiKey: SANDBOX_MT.apiKey,
          integratorEmails: [SANDBOX_MT.email],
          latencyMs: pre.SANDBOX_LATENCY_MS,
          writeBack: {
            oneRosterBaseUrl: selfUrl,
            tokenUrl: `${selfUrl}/oauth2/token`,
            clientId: pre.AUTH_DEV_CLIENT_ID,
            clientSecret: pre.AUTH_DEV_CLIENT_SECRET,
            scope: Scope.GradebookCreatePut,
            readScope: Scope.GradebookReadonly,
          },
        },
        edulastic: { port: pre.SANDBOX_EDULASTIC_PORT, latencyMs: pre.SANDBOX_LATENCY_MS, accounts: [SANDBOX_EDU] },
      });
      if (!pre.MASTERY_TRACK_BASE_URL)
        Object.assign(overrides, masteryTrackSandboxEnv(sandboxes.masteryTrack.url, SANDBOX_MT));
      if (!pre.EDULASTIC_BASE_URL) Object.assign(overrides, edulasticSandboxEnv(sandboxes.edulastic.url, SANDBOX_EDU));
    }
    const env = validateEnv({ ...raw, ...overrides });
    const app = await NestFactory.create(AppModule.forRoot({ ...raw, ...overrides }), {
      bufferLogs: true,
      bodyParser: false,
    });
    configureApp(app, { shutdownHooks: false });
    await app.listen(env.PORT, env.HOST);
    if (sandboxes && !pre.EDULASTIC_BASE_URL) {
      // Fresh sandboxes remember nothing: forget the classes and logins cached for the previous run's sandbox.
      await app
        .get(MikroORM)
        .em.fork()
        .getConnection()
        .execute("delete from tool_classes where tool = 'edulastic'; delete from tool_logins where tool = 'edulastic'");
    }
    if (env.SEED_DEMO_DATA) {
      const doc = JSON.parse(readFileSync(DEMO_FIXTURE, 'utf8')) as SeedDocument;
      await RequestContext.create(app.get(MikroORM).em, () => app.get(SeedLoader).load(doc, selfUrl));
    }
    return {
      app,
      baseUrl: selfUrl,
      env,
      sandboxes,
      embeddedDatabase: db !== undefined,
      async close() {
        await app.close();
        await sandboxes?.close();
        await db?.close();
      },
    };
  } catch (e) {
    await sandboxes?.close();
    await db?.close();
    throw e;
  }
}
