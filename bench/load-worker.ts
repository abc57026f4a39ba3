/**
 * The load generator, in its own process (forked by run.ts) so autocannon never shares the app's event loop.
 * It receives one job at a time over IPC, runs autocannon with the API (per-request bodies through
 * setupRequest: every request can carry a different student or result) and sends the summary back.
 */
import type { LoadJob, LoadResult, RequestPlan } from './load-types';

// autocannon ships no type declarations; this is the part of its API we use.
type Autocannon = (
  opts: Record<string, unknown>,
  cb: (err: Error | null, result: AutocannonResult) => void,
) => { on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void };
/** The run's totals; latencies and status codes come from the 'response' events (ResponseWindow). */
interface AutocannonResult {
  /** Seconds. */
  duration: number;
  requests: { total: number; sent: number };
  errors: number;
  timeouts: number;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Autocannon;

/** Index → request; one shared counter per job, so no two requests (on any connection) reuse an index. */
function requestFactory(
  plan: RequestPlan,
  token: string,
): { next(): { method: string; path: string; body?: string; headers: Record<string, string> }; used(): number } {
  let i = 0;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const next = () => {
    const n = i++;
    switch (plan.kind) {
      case 'get':
        return { method: 'GET', path: plan.path, headers: { authorization: headers.authorization } };
      case 'assign': {
        const idx = plan.students.offset + (n % plan.students.count);
        return {
          method: 'POST',
          path: '/powerpath/makeExternalTestAssignment',
          headers,
          body: JSON.stringify({ student: `${plan.students.prefix}${idx}`, lesson: plan.lesson }),
        };
      }
      case 'repeat': {
        const [student, lesson] = plan.pairs[n % plan.pairs.length];
        return {
          method: 'POST',
          path: '/powerpath/makeExternalTestAssignment',
          headers,
          body: JSON.stringify({ student, lesson }),
        };
      }
      case 'writeBack': {
        const idx = (plan.offset ?? 0) + (n % plan.count);
        const sourcedId = `${plan.resultPrefix}${idx}`;
        return {
          method: 'PUT',
          path: `/ims/oneroster/gradebook/v1p2/assessmentResults/${sourcedId}`,
          headers,
          body: JSON.stringify({
            assessmentResult: {
              sourcedId,
              status: 'active',
              assessmentLineItem: { sourcedId: plan.lineItem },
              student: { sourcedId: `${plan.studentPrefix}${idx}` },
              score: plan.score,
              scoreDate: new Date().toISOString(),
              scoreStatus: 'fully graded',
              metadata: {
                masteryTrackProcessed: true,
                totalQuestions: 20,
                correctQuestions: Math.round((plan.score / 100) * 20),
                assignmentId: String(100000 + idx),
                testName: 'Alpha Standardized Math G4.1',
                testLink: `http://127.0.0.1/assignment/${100000 + idx}`,
              },
            },
          }),
        };
      }
    }
  };
  return { next, used: () => i };
}

/** What the responses in the window say: latencies of every status (as autocannon records them) and status counts. */
class ResponseWindow {
  private readonly latencies: number[] = [];
  readonly statusCodes: Record<string, number> = {};
  ok2xx = 0;

  record(status: number, ms: number): void {
    this.statusCodes[status] = (this.statusCodes[status] ?? 0) + 1;
    this.latencies.push(ms);
    if (status >= 200 && status < 300) this.ok2xx++;
  }

  get completed(): number {
    return this.latencies.length;
  }

  latencyMs(): LoadResult['latencyMs'] {
    const sorted = this.latencies.sort((a, b) => a - b);
    // Nearest rank, in whole milliseconds as autocannon reports them.
    const at = (p: number) => Math.round(sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0);
    const mean = sorted.reduce((sum, x) => sum + x, 0) / (sorted.length || 1);
    return { p50: at(0.5), p90: at(0.9), p99: at(0.99), mean: +mean.toFixed(2), max: at(1) };
  }
}

function run(job: LoadJob): Promise<LoadResult> {
  const factory = requestFactory(job.plan, job.token);
  const first = factory.next();
  // A timed run counts its own window, [ramp, ramp + duration); the warm-up waves' fixed amount, every response.
  const ramp = job.amount ? 0 : (job.rampSeconds ?? 0);
  const window = new ResponseWindow();
  const windowFrom = Date.now() + ramp * 1000;
  const windowTo = job.amount ? Infinity : windowFrom + job.durationSeconds * 1000;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.url,
        connections: job.connections,
        ...(job.amount ? { amount: job.amount } : { duration: ramp + job.durationSeconds }),
        pipelining: 1,
        timeout: job.timeoutSeconds,
        // Each connection asks for the next request: a new student (or result) every time.
        requests: [{ ...first, setupRequest: (req: Record<string, unknown>) => ({ ...req, ...factory.next() }) }],
      },
      (err, r) => {
        if (err) return reject(err);
        const plan = job.plan;
        const pool = plan.kind === 'assign' ? plan.students.count : plan.kind === 'writeBack' ? plan.count : undefined;
        const durationSeconds = job.amount ? r.duration : job.durationSeconds;
        resolve({
          durationSeconds,
          requestsPerSecond: window.completed / durationSeconds,
          completed: window.completed,
          latencyMs: window.latencyMs(),
          ok2xx: window.ok2xx,
          non2xx: window.completed - window.ok2xx,
          statusCodes: window.statusCodes,
          // The whole run's, ramp included (the app's CPU and statements are counted over the whole run too).
          sent: r.requests.sent,
          completedWholeRun: r.requests.total,
          errors: r.errors,
          timeouts: r.timeouts,
          // More requests built than distinct students/results: some were repeats, the scenario is not "all new".
          poolWrapped: pool !== undefined && factory.used() > pool,
          indicesUsed: factory.used(),
        });
      },
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      const now = Date.now();
      // autocannon stops at its next 1 s tick past the duration: what lands before that is past the window.
      if (now >= windowFrom && now < windowTo) window.record(status, ms);
    });
  });
}

process.on('message', (job: LoadJob) => {
  run(job).then(
    (result) => process.send!({ ok: true, result }),
    (e: unknown) => process.send!({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
});
process.on('disconnect', () => process.exit(0));
