import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { createLesson, createStudent } from '../helpers/fixtures';
import { delayMasteryTrackAssign, sandboxControl } from '../helpers/sandbox-control';
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

async function until<T>(read: () => T | Promise<T>, done: (v: T) => boolean, what: string): Promise<T> {
  // Generous: a worker boots the whole app under ts-node, which on a busy CI machine takes a minute or more.
  for (let i = 0; i < 600; i++) {
    const v = await read();
    if (done(v)) return v;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(await read())}`);
}

const ORGS = '/ims/oneroster/rostering/v1p2/orgs?limit=1';

/** Which worker processes have answered a OneRoster request so far (pino's pid on each request log line). */
function servers(app: SpawnedApp): Set<number> {
  const pids = new Set<number>();
  for (const line of app.logs().split('\n'))
    if (line.includes('/ims/oneroster/rostering/v1p2/orgs')) pids.add((JSON.parse(line) as { pid: number }).pid);
  return pids;
}

/** WEB_CONCURRENCY (issue 13): N workers of the production entry point share the port under one primary. */
describe('WEB_CONCURRENCY=2 (node:cluster)', () => {
  let fixtures: TestApp;
  let app: SpawnedApp;
  let token: string;
  /** Where Node writes a diagnostic report when a process gets SIGUSR2 (an operator's look at a live instance). */
  const reports = mkdtempSync(join(tmpdir(), 'eta-reports-'));
  /** One request on a new connection: the primary hands connections to the workers in turn. */
  const ask = () =>
    request(app.baseUrl)
      .get(ORGS)
      .set('Authorization', `Bearer ${token}`)
      .set('Connection', 'close')
      .timeout(10_000)
      .expect(200);

  beforeAll(async () => {
    fixtures = await createTestApp();
    app = await spawnApp(fixtures.sandboxes, {
      WEB_CONCURRENCY: '2',
      NODE_OPTIONS: [
        process.env.NODE_OPTIONS,
        '--report-on-signal',
        '--report-signal=SIGUSR2',
        `--report-directory=${reports}`,
      ]
        .filter(Boolean)
        .join(' '),
    });
    await until(
      () => workersOf(app),
      (w) => w.length === 2,
      'two workers',
    );
    token = await spawnedToken(app);
  }, 180_000);

  afterAll(async () => {
    await app?.stop();
    await fixtures?.close();
    rmSync(reports, { recursive: true, force: true });
  });

  it('spreads connections over both workers', async () => {
    // A worker that is still booting takes no connections yet: ask until both have answered.
    const served = await until(
      async () => (await ask(), servers(app)),
      (pids) => pids.size === 2,
      'both workers answering',
    );
    for (let i = 0; i < 10; i++) await ask();
    expect([...servers(app)].sort()).toEqual(workersOf(app).sort());
    expect(served.size).toBe(2);
  }, 180_000);

  it('replaces a worker that dies, and keeps serving meanwhile', async () => {
    const [victim, survivor] = workersOf(app);
    process.kill(victim, 'SIGKILL');
    // A connection handed to the victim as it died is lost with it; the next ones reach the survivor.
    await until(
      () =>
        request(app.baseUrl)
          .get('/health/live')
          .set('Connection', 'close')
          .timeout(3000)
          .then(
            (r) => r.status,
            () => 0,
          ),
      (status) => status === 200,
      'the survivor answering',
    );
    const now = await until(
      () => workersOf(app),
      (w) => w.length === 2 && !w.includes(victim),
      'a replacement worker',
    );
    expect(now).toContain(survivor);
    const replacement = now.find((pid) => pid !== survivor)!;
    // While the cluster changes workers a connection can still be lost (seen once in CI: ECONNRESET right after the
    // survivor answered); what this asserts is that the replacement comes to serve, so a lost one is asked again.
    await until(
      async () => (await ask().catch(() => undefined), servers(app)),
      (pids) => pids.has(replacement),
      'the replacement answering',
    );
  }, 180_000);

  it("a diagnostic signal is not a stop: SIGUSR2 writes Node's report and the worker keeps serving", async () => {
    const workers = workersOf(app);
    process.kill(workers[0], 'SIGUSR2');
    const reportsOf = () => readdirSync(reports).filter((f) => f.includes(`.${workers[0]}.`));
    await until(reportsOf, (files) => files.length > 0, "the worker's diagnostic report");
    // Stopping on it (as Nest does for every signal it knows unless told which) closes the app and raises the signal
    // again: a second report, a worker that no longer serves or is replaced.
    await sleep(1000);
    expect(reportsOf()).toHaveLength(1);
    expect(workersOf(app).sort()).toEqual([...workers].sort());
    expect(app.logs()).not.toMatch(new RegExp(`Worker ${workers[0]} exited`));
    // As above, a connection can be lost while the cluster hands it over: ask again.
    await until(
      async () => (await ask().catch(() => undefined), servers(app)),
      (pids) => pids.has(workers[0]),
      'the signalled worker answering',
    );
  }, 180_000);

  // SIGHUP, which the primary passes on as it does SIGTERM and SIGINT (unhandled, it would end the primary and with it
  // every worker, undrained); a single process drains on SIGTERM in reliability/security.
  it('SIGHUP drains: an assignment in flight at the tool still answers 200, then every process exits 0', async () => {
    const student = await createStudent(fixtures.orm);
    const lesson = await createLesson(fixtures.orm);
    await delayMasteryTrackAssign(fixtures.sandboxes, 1500, 1);
    const workers = workersOf(app);
    const inFlight = request(app.baseUrl)
      .post('/powerpath/makeExternalTestAssignment')
      .set('Authorization', `Bearer ${token}`)
      .send({ student: student.sourcedId, lesson: lesson.sourcedId });
    const answered = inFlight.then((r) => r);
    await sandboxControl(fixtures.sandboxes, 'masteryTrack').untilInFlight('POST', '/delivery/assignments/assign');
    const exit = app.stop('SIGHUP');
    const res = await answered;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ toolProvider: 'mastery-track', assignmentId: expect.any(String) });
    expect(await exit).toBe(0);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  }, 60_000);
});
