import { execFileSync } from 'node:child_process';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { createLesson, createStudent } from '../helpers/fixtures';
import { spawnApp, SpawnedApp, spawnedToken } from '../helpers/spawned-app';
import { createTestApp, Sandboxes, TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';

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

describe('OpenTelemetry tracing', () => {
  let receiver: Server;
  const spans: OtlpSpan[] = [];
  let app: SpawnedApp;
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
    app = await spawnApp(sandboxes, {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_SERVICE_NAME: 'eta-under-test',
    });
    baseUrl = app.baseUrl;
  }, 150_000);

  afterAll(async () => {
    await app?.stop();
    await fixtures?.close();
    await new Promise((r) => receiver.close(r));
  });

  it('makes one trace per assignment, with a span for each SQL statement and for the tool call; logs carry its ids', async () => {
    const student = await createStudent(fixtures.orm);
    const lesson = await createLesson(fixtures.orm);
    const token = await spawnedToken(app);
    spans.length = 0;
    await request(baseUrl)
      .post('/powerpath/makeExternalTestAssignment')
      .set('Authorization', `Bearer ${token}`)
      .send({ student: student.sourcedId, lesson: lesson.sourcedId })
      .expect(200);

    const isSql = (s: OtlpSpan) =>
      attr(s, 'db.system', 'db.system.name') === 'postgresql' && !/^pg\.(connect|pool)/.test(s.name);
    // The request's span, once its trace's statements have arrived too (the exporter sends in batches).
    const server = await waitFor(() => {
      const found = spans.find(
        (s) => s.kind === 2 && attr(s, 'http.target', 'url.path')?.startsWith('/powerpath/makeExternalTestAssignment'),
      );
      return found && spans.filter((s) => s.traceId === found.traceId && isSql(s)).length >= 3 && found;
    }, 'the request span and its statements');
    // A statement span more would come in the same batch or the next one.
    await sleep(300);
    const all = spans.filter((s) => s.traceId === server.traceId);
    const sql = all.filter(isSql);
    // read, claim (with the student's seat), record: the flow's three statements, each a span of this trace.
    expect(sql).toHaveLength(3);
    expect(sql.map((s) => attr(s, 'db.statement', 'db.query.text') ?? '').join('\n')).toMatch(
      /insert into tool_seats[\s\S]*insert into tool_assignments/,
    );
    // Nest's own spans: the instrumentation patched @nestjs/core as it loaded (tracing is the first import).
    // ('make' is AssignmentsController's handler; the guard's JWKS fetch from this app is a handler span too.)
    expect(all.filter((s) => attr(s, 'nestjs.type') === 'handler').map((s) => s.name)).toContain('make');
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

    const line = app
      .logs()
      .split('\n')
      .find((l) => l.includes('"/powerpath/makeExternalTestAssignment"') && l.includes('trace_id'));
    expect(line && JSON.parse(line).trace_id).toBe(server.traceId);
  }, 30_000);
});

/** Off (no OTLP endpoint), the entry point's tracing module loads nothing of OpenTelemetry: nothing to cost. */
it('off, tracing loads no OpenTelemetry module', () => {
  const { OTEL_EXPORTER_OTLP_ENDPOINT: _a, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: _b, ...env } = process.env;
  const loaded = execFileSync(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-e',
      "require('./src/tracing'); console.log(Object.keys(require.cache).filter((k) => k.includes('@opentelemetry')).length)",
    ],
    { cwd: join(__dirname, '..', '..'), env, encoding: 'utf8' },
  );
  expect(Number(loaded.trim())).toBe(0);
});

function attr(s: OtlpSpan, ...keys: string[]): string | undefined {
  const a = s.attributes.find((x) => keys.includes(x.key));
  return a?.value.stringValue ?? a?.value.intValue;
}
