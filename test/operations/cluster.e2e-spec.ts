import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { createLesson, createStudent } from '../helpers/fixtures';
import { sandboxControl } from '../helpers/sandbox-control';
import { spawnApp, SpawnedApp, spawnedToken } from '../helpers/spawned-app';
import { createTestApp, TestApp } from '../helpers/test-app';

/** The worker processes of a clustered start (children of its primary). */
function workersOf(app: SpawnedApp): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(app.process.pid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((pid) => pid > 0);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

async function until<T>(read: () => T, done: (v: T) => boolean, what: string): Promise<T> {
  // Generous: a worker boots the whole app under ts-node, which on a busy CI machine takes a minute or more.
  for (let i = 0; i < 600; i++) {
    const v = read();
    if (done(v)) return v;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(read())}`);
}

/** WEB_CONCURRENCY (issue 13): N workers of the production entry point share the port under one primary. */
describe('WEB_CONCURRENCY=2 (node:cluster)', () => {
  let fixtures: TestApp;
  let app: SpawnedApp;

  beforeAll(async () => {
    fixtures = await createTestApp();
    app = await spawnApp(fixtures.sandboxes, { WEB_CONCURRENCY: '2' });
    await until(
      () => workersOf(app),
      (w) => w.length === 2,
      'two workers',
    );
    // Both workers listening: each answers its share of new connections.
    await until(
      () => app.logs().match(/Nest application successfully started/g)?.length ?? 0,
      (n) => n === 2,
      'both workers started',
    );
  }, 180_000);

  afterAll(async () => {
    await app?.stop();
    await fixtures?.close();
  });

  it('spreads connections over both workers', async () => {
    const token = await spawnedToken(app);
    const served = new Set<number>();
    for (let i = 0; i < 20; i++) {
      // A new connection each time: the primary hands connections to workers round-robin.
      await request(app.baseUrl)
        .get('/ims/oneroster/rostering/v1p2/orgs?limit=1')
        .set('Authorization', `Bearer ${token}`)
        .set('Connection', 'close')
        .expect(200);
    }
    for (const line of app.logs().split('\n')) {
      if (!line.includes('/ims/oneroster/rostering/v1p2/orgs')) continue;
      served.add((JSON.parse(line) as { pid: number }).pid);
    }
    expect(served.size).toBe(2);
    expect([...served].sort()).toEqual(workersOf(app).sort());
  });

  it('replaces a worker that dies, and keeps serving meanwhile', async () => {
    const [victim, survivor] = workersOf(app);
    process.kill(victim, 'SIGKILL');
    await request(app.baseUrl).get('/health/live').set('Connection', 'close').expect(200);
    const now = await until(
      () => workersOf(app),
      (w) => w.length === 2 && !w.includes(victim),
      'a replacement worker',
    );
    expect(now).toContain(survivor);
    await until(
      () => app.logs().match(/Nest application successfully started/g)?.length ?? 0,
      (n) => n === 3,
      'the replacement started',
    );
  }, 180_000);

  it('SIGTERM drains: an assignment in flight at the tool still answers 200, then every process exits 0', async () => {
    const token = await spawnedToken(app);
    const student = await createStudent(fixtures.orm);
    const lesson = await createLesson(fixtures.orm);
    await sandboxControl(fixtures.sandboxes, 'masteryTrack').fault({
      method: 'POST',
      path: '/delivery/assignments/assign',
      delayMs: 1500,
      times: 1,
    });
    const workers = workersOf(app);
    const inFlight = request(app.baseUrl)
      .post('/powerpath/makeExternalTestAssignment')
      .set('Authorization', `Bearer ${token}`)
      .send({ student: student.sourcedId, lesson: lesson.sourcedId });
    const answered = inFlight.then((r) => r);
    await sleep(700); // the request is waiting at the tool
    const exit = app.stop();
    const res = await answered;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ toolProvider: 'mastery-track', assignmentId: expect.any(String) });
    expect(await exit).toBe(0);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  }, 60_000);
});
