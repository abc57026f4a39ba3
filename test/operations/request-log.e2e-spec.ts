import { Logger } from '@nestjs/common';
import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLesson, createStudent } from '../helpers/fixtures';
import { delayMasteryTrackAssign, sandboxControl } from '../helpers/sandbox-control';
import { createTestApp, TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';

const ROUTE = '/powerpath/makeExternalTestAssignment';

interface Line {
  level: number;
  msg: string;
  req?: { id: string; method: string; path: string };
  res?: { statusCode: number };
  responseTime?: number;
  error?: { code: string };
  student?: string;
}

/**
 * The request scope (src/http/request-scope.ts): Fastify hooks, not Nest middleware, open each request's ORM context
 * and log binding and write its one access line. These pin what the log says and that the scope holds wherever a
 * request's work runs.
 */
describe('request scope: the access line, the lines written during a request, the ORM context', () => {
  const lines: Line[] = [];
  let t: TestApp;
  let auth: { Authorization: string };
  const probe = new Logger('Probe');

  beforeAll(async () => {
    const sink = new Writable({
      write: (chunk, _enc, cb) => {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Line);
        cb();
      },
    });
    t = await createTestApp({ LOG_LEVEL: 'info' }, { hooks: { logDestination: sink } });
    auth = { Authorization: `Bearer ${await t.token()}` };
  });
  afterEach(() => (t.recoveryPoints.current = undefined));
  afterAll(() => t.close());

  const linesOf = (id: string) => lines.filter((l) => l.req?.id === id);
  const accessLine = (id: string) => linesOf(id).find((l) => l.msg.startsWith('request '));

  it('boot is quiet at warn when MasteryTrack has its write-back client (the default with the dev issuer)', () => {
    expect(lines.filter((l) => !l.req && l.level >= 40).map((l) => l.msg)).toEqual([]);
  });

  it('one line per request: method, path without its query, status, time; warn for 4xx; none for health', async () => {
    await t.http().get('/health/live').set('X-Request-Id', 'log-health').expect(200);
    await t
      .http()
      .get('/ims/oneroster/rostering/v1p2/users?filter=email%3D%27secret.person%40mail.test%27')
      .set(auth)
      .set('X-Request-Id', 'log-list')
      .expect(200);
    await t.http().post(ROUTE).set(auth).set('X-Request-Id', 'log-bad').send({ student: 1 }).expect(400);

    expect(linesOf('log-health')).toEqual([]);
    expect(accessLine('log-list')).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { id: 'log-list', method: 'GET', path: '/ims/oneroster/rostering/v1p2/users' },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
    });
    expect(JSON.stringify(lines)).not.toContain('secret.person');
    // A body that is not JSON is answered with its position, not its text (V8's message quotes it), nor logged.
    const broken = await t
      .http()
      .post('/oauth2/token')
      .set('Content-Type', 'application/json')
      .set('X-Request-Id', 'log-broken')
      .send('{"grant_type":"client_credentials","client_secret": s3cr3t-in-a-body}');
    expect(broken.status).toBe(400);
    expect(broken.body.imsx_description).toMatch(/^The body is not valid JSON( \(at position \d+\))?$/);
    expect(accessLine('log-broken')).toMatchObject({ res: { statusCode: 400 }, error: { code: expect.any(String) } });
    expect(JSON.stringify(lines)).not.toContain('s3cr3t');
    expect(accessLine('log-bad')).toMatchObject({
      level: 40,
      msg: 'request completed',
      res: { statusCode: 400 },
      error: { code: 'INVALID_REQUEST' },
    });
    expect(accessLine('log-list')).not.toHaveProperty('error');
    for (const id of ['log-list', 'log-bad'])
      expect(linesOf(id).filter((l) => l.msg.startsWith('request '))).toHaveLength(1);
  });

  it('a line written during a request names that request, with many requests in flight at once', async () => {
    const lesson = await createLesson(t.orm);
    const students = await Promise.all(Array.from({ length: 12 }, () => createStudent(t.orm)));
    t.recoveryPoints.current = async (point, at) => {
      await sleep(Math.floor(Math.random() * 25));
      probe.log({ student: at.studentSourcedId, point }, 'probe');
    };
    const answers = await Promise.all(
      students.map((s) =>
        t
          .http()
          .post(ROUTE)
          .set(auth)
          .set('X-Request-Id', `log-${s.sourcedId}`)
          .send({ student: s.sourcedId, lesson: lesson.sourcedId }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(students.map(() => 200));
    for (const s of students) {
      const probes = lines.filter((l) => l.msg === 'probe' && l.student === s.sourcedId);
      expect(probes.length).toBeGreaterThanOrEqual(2);
      for (const p of probes) expect(p.req).toEqual({ id: `log-${s.sourcedId}`, method: 'POST', path: ROUTE });
    }
    expect(lines.filter((l) => l.msg === 'probe' && !l.req)).toEqual([]);
  });

  it('forks the ORM once for a request that uses its unit of work, never for one whose statements all go through runPrepared', async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm);
    const assign = () =>
      t.http().post(ROUTE).set(auth).send({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
    const fork = jest.spyOn(t.orm.em, 'fork');
    try {
      await t.http().get('/health/live').expect(200);
      const first = await assign();
      const repeat = await assign();
      expect(repeat.body.assignmentId).toBe(first.body.assignmentId);
      expect(fork).not.toHaveBeenCalled();
      await t.http().get('/ims/oneroster/rostering/v1p2/users?limit=2').set(auth).expect(200);
      await t.http().get('/ims/oneroster/rostering/v1p2/users?limit=2').set(auth).expect(200);
      expect(fork).toHaveBeenCalledTimes(2);
    } finally {
      fork.mockRestore();
    }
  });

  it('holds when the body arrives in a later packet than the headers', async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm);
    t.recoveryPoints.current = (point, at) => probe.log({ student: at.studentSourcedId, point }, 'probe');
    const body = JSON.stringify({ student: student.sourcedId, lesson: lesson.sourcedId });
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${t.baseUrl}${ROUTE}`, {
        method: 'POST',
        headers: {
          ...auth,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          'X-Request-Id': 'log-split-body',
        },
      });
      req.on('response', (res) => (res.resume(), resolve(res.statusCode ?? 0)));
      req.on('error', reject);
      req.flushHeaders();
      req.write(body.slice(0, 10));
      setTimeout(() => req.end(body.slice(10)), 100);
    });
    expect(status).toBe(200);
    expect(lines.filter((l) => l.msg === 'probe' && l.student === student.sourcedId).map((l) => l.req?.id)).toEqual(
      expect.arrayContaining(['log-split-body']),
    );
    expect(lines.filter((l) => l.msg === 'probe' && l.student === student.sourcedId && !l.req)).toEqual([]);
    expect(accessLine('log-split-body')).toMatchObject({ res: { statusCode: 200 } });
  });

  it('a request the client abandons is logged as aborted, once', async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm);
    await delayMasteryTrackAssign(t.sandboxes, 1000);
    const body = JSON.stringify({ student: student.sourcedId, lesson: lesson.sourcedId });
    const req = httpRequest(`${t.baseUrl}${ROUTE}`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json', 'X-Request-Id': 'log-abort' },
    });
    req.on('error', () => undefined);
    // Abandoned while the service is inside it (its attempt claimed, its tool call about to be held), not before the
    // service has read it. A fixed wait lost that race on a loaded machine, and so did counting the tool's calls
    // (a call another test left in flight counts too); the flow's own recovery point names this request's student.
    let inside!: () => void;
    const claimed = new Promise<void>((r) => (inside = r));
    t.recoveryPoints.current = (point, at) => {
      if (point === 'claimed' && at.studentSourcedId === student.sourcedId) inside();
    };
    req.end(body);
    await claimed;
    req.destroy();
    await waitFor(() => linesOf('log-abort').some((l) => l.msg.includes('aborted')), 'the aborted line');
    expect(linesOf('log-abort').filter((l) => l.msg === 'request aborted by the client')).toEqual([
      expect.objectContaining({ level: 40, req: { id: 'log-abort', method: 'POST', path: ROUTE } }),
    ]);
  });

  it('a request abandoned while its body arrives is that warn line alone: no error line, no stack', async () => {
    const body = JSON.stringify({ student: 'abandoned', lesson: 'abandoned' });
    const req = httpRequest(`${t.baseUrl}${ROUTE}`, {
      method: 'POST',
      headers: {
        ...auth,
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body) + 50,
        'X-Request-Id': 'log-abort-body',
      },
    });
    req.on('error', () => undefined);
    req.flushHeaders();
    req.write(body);
    // The service holds the headers and part of the body when the client goes (nothing is logged before the end).
    await sleep(200);
    req.destroy();
    await waitFor(() => linesOf('log-abort-body').some((l) => l.msg.includes('aborted')), 'the aborted line');
    // Then nothing more: an error line would follow the warn at once.
    await sleep(100);
    expect(linesOf('log-abort-body').map((l) => [l.level, l.msg])).toEqual([[40, 'request aborted by the client']]);
    expect(lines.filter((l) => l.level >= 50 || JSON.stringify(l).includes('abortIncoming'))).toEqual([]);
  });

  // Last: the tool's failures open its circuit breaker for the rest of this app.
  it('a 5xx answer is an error line, "request errored"', async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm);
    await sandboxControl(t.sandboxes, 'masteryTrack').fault({
      path: '/delivery/assignments/assign',
      status: 500,
      times: 5,
    });
    await t
      .http()
      .post(ROUTE)
      .set(auth)
      .set('X-Request-Id', 'log-5xx')
      .send({ student: student.sourcedId, lesson: lesson.sourcedId })
      .expect(502);
    expect(accessLine('log-5xx')).toMatchObject({
      level: 50,
      msg: 'request errored',
      req: { id: 'log-5xx', method: 'POST', path: ROUTE },
      res: { statusCode: 502 },
      // Which error: its code only (a description may quote a tool's text).
      error: { code: expect.stringMatching(/^TOOL_/) },
    });
    expect(accessLine('log-5xx')?.error).toEqual({ code: expect.any(String) });
    expect(linesOf('log-5xx').filter((l) => l.msg.startsWith('request '))).toHaveLength(1);
  });
});
