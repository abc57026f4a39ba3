import { ChildProcess, spawn } from 'node:child_process';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { edulasticSandboxEnv, masteryTrackSandboxEnv } from '../../src/cli/sandbox-env';
import { createLesson, createStudent } from '../helpers/fixtures';
import {
  createTestApp,
  DEV_CLIENT,
  EDU_PASSWORD,
  EDU_USER,
  MT_API_KEY,
  MT_EMAIL,
  Sandboxes,
  TestApp,
} from '../helpers/test-app';
import { workerDatabaseUrl } from '../helpers/test-database';

/**
 * OpenTelemetry (issue 14): the production entry point (src/main.ts) with OTEL_EXPORTER_OTLP_ENDPOINT pointing at
 * an OTLP/JSON receiver in this test. Instrumentations patch modules as Node loads them, which Jest's module
 * registry bypasses, so the app runs in its own process.
 */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string; intValue?: string } }[];
}

const ROOT = join(__dirname, '..', '..');

describe('OpenTelemetry tracing', () => {
  let receiver: Server;
  const spans: OtlpSpan[] = [];
  let app: ChildProcess;
  let logs = '';
  let baseUrl: string;
  let sandboxes: Sandboxes;
  let fixtures: TestApp;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const parsed = JSON.parse(body || '{}') as { resourceSpans?: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
        for (const rs of parsed.resourceSpans ?? []) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    // The fixtures come from an in-process app on the same database (it also migrates it).
    fixtures = await createTestApp();
    sandboxes = fixtures.sandboxes;
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    app = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'src/main.ts'],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          NODE_ENV: 'test',
          PORT: String(port),
          LOG_LEVEL: 'info',
          DATABASE_URL: workerDatabaseUrl(),
          AUTH_DEV_ISSUER: 'true',
          AUTH_DEV_CLIENT_ID: DEV_CLIENT.id,
          AUTH_DEV_CLIENT_SECRET: DEV_CLIENT.secret,
          ...masteryTrackSandboxEnv(sandboxes.masteryTrack.url, { apiKey: MT_API_KEY, email: MT_EMAIL }),
          ...edulasticSandboxEnv(sandboxes.edulastic.url, { username: EDU_USER, password: EDU_PASSWORD }),
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_BSP_SCHEDULE_DELAY: '100',
          OTEL_SERVICE_NAME: 'eta-under-test',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    app.stdout!.on('data', (c) => (logs += c));
    app.stderr!.on('data', (c) => (logs += c));
    for (let i = 0; i < 120; i++) {
      if (
        await request(baseUrl)
          .get('/health/live')
          .then(
            (r) => r.status === 200,
            () => false,
          )
      )
        return;
      await sleep(250);
    }
    throw new Error(`the app did not start:\n${logs}`);
  }, 60_000);

  afterAll(async () => {
    app?.kill('SIGTERM');
    await new Promise((r) => app?.once('exit', r));
    await fixtures?.close();
    await new Promise((r) => receiver.close(r));
  });

  it('makes one trace per assignment, with a span for each SQL statement and for the tool call; logs carry its ids', async () => {
    const student = await createStudent(fixtures.orm);
    const lesson = await createLesson(fixtures.orm);
    const token = (
      await request(baseUrl)
        .post('/oauth2/token')
        .auth(DEV_CLIENT.id, DEV_CLIENT.secret)
        .type('form')
        .send({ grant_type: 'client_credentials' })
        .expect(200)
    ).body.access_token;
    spans.length = 0;
    await request(baseUrl)
      .post('/powerpath/makeExternalTestAssignment')
      .set('Authorization', `Bearer ${token}`)
      .send({ student: student.sourcedId, lesson: lesson.sourcedId })
      .expect(200);

    let server: OtlpSpan | undefined;
    for (let i = 0; i < 40 && !server; i++) {
      await sleep(100);
      server = spans.find(
        (s) => s.kind === 2 && attr(s, 'http.target', 'url.path')?.startsWith('/powerpath/makeExternalTestAssignment'),
      );
    }
    expect(server).toBeDefined();
    await sleep(300);
    const all = spans.filter((s) => s.traceId === server!.traceId);
    const sql = all.filter(
      (s) => attr(s, 'db.system', 'db.system.name') === 'postgresql' && !/^pg\.(connect|pool)/.test(s.name),
    );
    // read, claim, the student's seat, record: the flow's four statements, each a span of this trace.
    expect(sql).toHaveLength(4);
    expect(sql.map((s) => attr(s, 'db.statement', 'db.query.text') ?? '').join('\n')).toMatch(
      /insert into tool_assignments/,
    );
    const toolCall = all.find(
      (s) => s.kind === 3 && (attr(s, 'url.full', 'http.url') ?? '').includes('/delivery/assignments/assign'),
    );
    expect(toolCall).toBeDefined();
    expect(
      new Set(
        spans
          .filter((s) => s.kind === 2 && attr(s, 'http.target', 'url.path')?.startsWith('/powerpath/'))
          .map((s) => s.traceId),
      ).size,
    ).toBe(1);

    const line = logs
      .split('\n')
      .find((l) => l.includes('"/powerpath/makeExternalTestAssignment"') && l.includes('trace_id'));
    expect(line && JSON.parse(line).trace_id).toBe(server!.traceId);
  }, 30_000);
});

function attr(s: OtlpSpan, ...keys: string[]): string | undefined {
  const a = s.attributes.find((x) => keys.includes(x.key));
  return a?.value.stringValue ?? a?.value.intValue;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}
