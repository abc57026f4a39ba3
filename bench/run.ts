/**
 * Benchmark of makeExternalTestAssignment and the MasteryTrack write-back (see BENCHMARKS.md).
 *
 * A fresh `eta_bench` database (dropped and created), both tool sandboxes and the whole app (AppModule.forRoot,
 * configureApp) listening on 127.0.0.1 run in this process, so every SQL statement the app sends is counted
 * through AppModule's onQuery hook. The load comes from autocannon in a forked child process (load-worker.ts),
 * so the generator never shares the app's event loop. Each scenario runs right after a GET /health/live baseline
 * with the same connections and duration. The scenarios themselves (requests, warm-ups, seeded data) are in
 * scenarios.ts.
 *
 *   npm run bench   (tsc -p bench/tsconfig.json && node --expose-gc bench/.build/bench/main.js)
 *   BENCH_DURATION=10 (seconds per run)   BENCH_SCENARIOS=1,2,… (subset)
 *   BENCH_ADMIN_URL=postgresql://postgres@127.0.0.1:5432/postgres   BENCH_DB=eta_bench   BENCH_KEEP_DB=1
 *   BENCH_SANDBOXES=inprocess: the tool sandboxes in the app's process (default: a child process of their own)
 *   BENCH_SANDBOX_NICE=10: the sandboxes' process yields the shared vCPUs to the app and its database (0: same priority)
 *   References, each in its own process: R = a bare node:http server (the floor), N = the naive flow (a transaction
 *   and connection held across the tool call, pool 10) at scenario 5's load
 *   BENCH_PROFILE=1: CPU profile of each measured scenario window → bench/profiles/scenario-N.cpuprofile (+ top frames);
 *     for a reference scenario (R, N), of the app's /health/live baseline instead → scenario-R-health.cpuprofile
 *   BENCH_PROFILE=heap: what each window allocates instead (sampling heap profiler, collected objects included) →
 *     bench/profiles/scenario-N.heapprofile (+ top allocating functions, KiB per request)
 */
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as inspector from 'node:inspector';
import * as os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { startSandboxes } from '@external-tests/sandbox';
import { AppModule } from '../src/app.module';
import { configureApp, createHttpAdapter } from '../src/configure-app';
import { benchAppEnv, EDU_PASSWORD, EDU_USER, fetchToken, MT_API_KEY, MT_EMAIL } from './app-env';
import type { LoadJob, LoadResult, ReferenceInit, SandboxWorkerInit, WorkerReply } from './load-types';
import { dropDatabase, recreateDatabase } from './seed';
import { prepareScenarios, WARM_WAVES, waveRequests, type Scenario } from './scenarios';
import { summarise } from './profile-top';
import { summariseHeap } from './heap-top';
import { cpuBudget, describeBudget, readCpu } from './cpu-budget';
import { cpuMsOf, launchStartProd, type StartProd } from './start-prod';
import { evaluateTargets, printTable, type ScenarioReport } from './report';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
/**
 * Seconds each measured autocannon run (baseline and scenario) runs before its window: autocannon opens all its
 * connections at once, and their first requests arrive in lockstep, a burst the warm-up waves cannot take away.
 */
const RAMP = Number(process.env.BENCH_RAMP ?? 2);
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DB_NAME = process.env.BENCH_DB ?? 'eta_bench';
const PROFILE = process.env.BENCH_PROFILE === '1' || process.env.BENCH_PROFILE === 'heap';
const HEAP_PROFILE = process.env.BENCH_PROFILE === 'heap';
/** `process` (default: a child process of their own, so the app's CPU is its own) or `inprocess`. */
const SANDBOXES = process.env.BENCH_SANDBOXES === 'inprocess' ? 'inprocess' : 'process';
/**
 * How much nicer than the harness the sandboxes' process runs. The tools are other companies' servers: here they
 * share the app's two vCPUs, and at the app's priority their every wake-up could preempt its event loop (BENCHMARKS.md).
 */
const SANDBOX_NICE = Number(process.env.BENCH_SANDBOX_NICE ?? 10);
/** The sandboxes' process's nice value as set (the harness's own plus SANDBOX_NICE, at most 19). */
let sandboxNice: number | undefined;

/** Relative to the harness's own priority, so a harness started niced keeps the gap; a failure only warns. */
function lowerPriority(pid: number, by: number): number {
  try {
    os.setPriority(pid, Math.min(19, os.getPriority() + by));
  } catch (e) {
    console.warn(`could not lower the sandboxes' priority: ${e instanceof Error ? e.message : String(e)}`);
  }
  return os.getPriority(pid);
}
const ONLY = process.env.BENCH_SCENARIOS?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
// bench/ itself, whether this runs from bench/.build/bench (compiled) or from bench/ (ts-node).
const BENCH_DIR = __filename.endsWith('.ts') ? __dirname : join(__dirname, '..', '..');
const RESULTS_FILE = join(BENCH_DIR, 'results.json');

/** Where the tools listen; in this process or in sandbox-worker.ts. */
interface Sandboxes {
  masteryTrack: { url: string };
  edulastic: { url: string };
  /** CPU ms the sandboxes' own process has used so far (BENCH_SANDBOXES=process; in process: not separable). */
  cpuMs?(): number;
  close(): Promise<void>;
}

async function launchSandboxes(): Promise<Sandboxes> {
  const init: SandboxWorkerInit = {
    mtApiKey: MT_API_KEY,
    mtEmail: MT_EMAIL,
    eduUser: EDU_USER,
    eduPassword: EDU_PASSWORD,
  };
  if (SANDBOXES === 'inprocess') {
    return startSandboxes({
      masteryTrack: { apiKey: init.mtApiKey, integratorEmails: [init.mtEmail] },
      edulastic: { accounts: [{ username: init.eduUser, password: init.eduPassword }] },
    });
  }
  const ts = __filename.endsWith('.ts');
  const child = fork(join(__dirname, ts ? 'sandbox-worker.ts' : 'sandbox-worker.js'), [], {
    execArgv: ts ? ['-r', 'ts-node/register/transpile-only'] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  if (SANDBOX_NICE !== 0) sandboxNice = lowerPriority(child.pid!, SANDBOX_NICE);
  const urls = await new Promise<{ masteryTrack: string; edulastic: string }>((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`sandbox worker exited (${code})`)));
    child.send(init);
  });
  return {
    masteryTrack: { url: urls.masteryTrack },
    edulastic: { url: urls.edulastic },
    cpuMs: () => cpuMsOf(child.pid!),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

/** A reference server (reference-worker.ts) in a child process of its own; `close` ends it. */
async function launchReference(init: ReferenceInit): Promise<{ url: string; cpuMs(): number; close(): void }> {
  const ts = __filename.endsWith('.ts');
  const child = fork(join(__dirname, ts ? 'reference-worker.ts' : 'reference-worker.js'), [], {
    execArgv: ts ? ['-r', 'ts-node/register/transpile-only'] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { url } = await new Promise<{ url: string }>((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`reference worker exited (${code})`)));
    child.send(init);
  });
  return { url, cpuMs: () => cpuMsOf(child.pid!), close: () => child.connected && child.disconnect() };
}

function dbUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

const MAX_TEXTS = 256;

/** A statement's first words, enough to tell the statements apart. */
const shapeOf = (sql: string): string => sql.slice(0, 160).replace(/\s+/g, ' ').slice(0, 60);

/** Statements counted by text (or already by shape), by shape, most frequent first. */
function shapesOf(counts: Map<string, number>): Record<string, number> {
  const shapes = new Map<string, number>();
  for (const [sql, n] of counts) {
    const key = shapeOf(sql);
    shapes.set(key, (shapes.get(key) ?? 0) + n);
  }
  return Object.fromEntries([...shapes].sort((a, b) => b[1] - a[1]));
}

/** Everything the scenarios measure inside the app process. */
class Probe {
  sql = 0;
  requests = 0;
  inFlight = 0;
  private shapes?: Map<string, number>;
  private peakRss = 0;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => this.sampleRss(), 100);
    this.timer.unref();
  }

  onQuery = (sql: string): void => {
    this.sql++;
    if (!this.shapes) return;
    // Counted by the text itself and shaped when the window ends: the probe's CPU counts as the app's, and the
    // request path's statements are constant strings, whose hash V8 computes once. Texts with their values in them
    // (the ORM's own statements) are shaped at once past 256 texts: the probe holds at most that many in the window.
    const n = this.shapes.get(sql);
    if (n !== undefined || this.shapes.size < MAX_TEXTS) this.shapes.set(sql, (n ?? 0) + 1);
    else {
      const key = shapeOf(sql);
      this.shapes.set(key, (this.shapes.get(key) ?? 0) + 1);
    }
  };

  attach(server: Server): void {
    server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
      this.requests++;
      this.inFlight++;
      res.once('close', () => this.inFlight--);
    });
  }

  sampleRss(): number {
    const rss = process.memoryUsage.rss(); // not memoryUsage(): that walks the heap spaces, on the app's CPU
    if (rss > this.peakRss) this.peakRss = rss;
    return rss;
  }

  /** Starts a measurement window: counters and the RSS peak from now. */
  window(recordShapes = false) {
    this.shapes = recordShapes ? new Map() : undefined;
    this.peakRss = 0;
    this.sampleRss();
    const start = {
      sql: this.sql,
      requests: this.requests,
      cpu: process.cpuUsage(),
      elu: performance.eventLoopUtilization(),
    };
    return {
      end: () => {
        this.sampleRss();
        const cpu = process.cpuUsage(start.cpu);
        const shapes = this.shapes && shapesOf(this.shapes);
        this.shapes = undefined;
        return {
          sql: this.sql - start.sql,
          requests: this.requests - start.requests,
          cpuMs: (cpu.user + cpu.system) / 1000,
          cpuSystemMs: cpu.system / 1000,
          eventLoopUtilization: performance.eventLoopUtilization(start.elu).utilization,
          peakRssBytes: this.peakRss,
          heapUsedBytes: process.memoryUsage().heapUsed,
          shapes,
        };
      },
    };
  }

  /**
   * Waits until the app is quiet: no open request and no new SQL statement for `quietMs`. autocannon closes its
   * sockets when the time is up, but the handlers of the requests it abandoned still run (SQL, vendor calls)
   * and belong to this window.
   */
  async drained(quietMs = 500, timeoutMs = 20_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    let last = -1;
    let quietSince = Date.now();
    while (Date.now() < until) {
      if (this.inFlight > 0 || this.sql !== last) {
        last = this.sql;
        quietSince = Date.now();
      } else if (Date.now() - quietSince >= quietMs) return;
      await sleep(25);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** bench/profiles/<name>.cpuprofile (or .heapprofile), and its summary on the console. */
function writeProfile(name: string, profile: string, requests?: number): void {
  mkdirSync(join(BENCH_DIR, 'profiles'), { recursive: true });
  const file = join(BENCH_DIR, 'profiles', `${name}.${HEAP_PROFILE ? 'heapprofile' : 'cpuprofile'}`);
  writeFileSync(file, profile);
  const summary = HEAP_PROFILE ? summariseHeap(file, 25, requests) : summarise(file, 15);
  console.log(`    profile: ${file}\n${summary.replace(/^/gm, '      ')}`);
}

/**
 * In-process V8 profile of one window, through the inspector protocol: CPU (BENCH_PROFILE=1), or allocations
 * (BENCH_PROFILE=heap: every 4 KiB allocated on average, collected objects kept in the profile).
 */
async function startProfile(): Promise<() => Promise<string>> {
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<{ profile?: unknown }>((resolve, reject) =>
      session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as { profile?: unknown }))),
    );
  if (HEAP_PROFILE) {
    await post('HeapProfiler.enable');
    await post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  } else {
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 500 });
    await post('Profiler.start');
  }
  return async () => {
    const { profile } = await post(HEAP_PROFILE ? 'HeapProfiler.stopSampling' : 'Profiler.stop');
    session.disconnect();
    return JSON.stringify(profile);
  };
}

/** The forked autocannon process; one job at a time. */
class LoadGenerator {
  private readonly child: ChildProcess;

  constructor() {
    const ts = __filename.endsWith('.ts');
    this.child = fork(join(__dirname, ts ? 'load-worker.ts' : 'load-worker.js'), [], {
      execArgv: ts ? ['-r', 'ts-node/register/transpile-only'] : [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
  }

  run(job: LoadJob): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`load worker exited (${code})`));
      this.child.once('exit', onExit);
      this.child.once('message', (m: WorkerReply) => {
        this.child.off('exit', onExit);
        if (m.ok) resolve(m.result);
        else reject(new Error(`load worker: ${m.error}`));
      });
      this.child.send(job);
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  close(): void {
    if (this.child.connected) this.child.disconnect();
  }
}

type Tool = 'masteryTrack' | 'edulastic';

/** The app's configuration, shared by the in-process app and the start:prod scenarios (one dev signing key). */
let appEnv: Record<string, string> = {};

async function main(): Promise<void> {
  const startedAt = new Date();
  const runs = ONLY ?? ['R', '1', '2', '3', '4', '5', 'N', '6', 'P1', 'P2', 'T1'];
  // The whole benchmark must end by itself: 3 runs × (ramp + duration) per scenario (baseline, scenario, and for some
  // the bare floor just before), plus 90 s for setup, the sequential warm-ups and start:prod boots, plus 10 s per
  // scenario for its warm-up waves (the naive flow's take about 9 s).
  const watchdog = setTimeout(
    () => {
      console.error('benchmark watchdog: did not finish in time, exiting');
      process.exit(2);
    },
    (runs.length * (3 * (RAMP + DURATION) + 10) + 90) * 1000,
  );
  watchdog.unref();

  // Read once, here: results.json reports this one (read when the file is written, it was the run's own load).
  const loadAverageAtStart = os.loadavg();
  console.log(
    `eta benchmark: ${runs.length} scenario(s) × (baseline + scenario) × ${DURATION}s, sandboxes ${SANDBOXES === 'process' ? `process (nice +${SANDBOX_NICE})` : SANDBOXES}, load average ${loadAverageAtStart
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  await recreateDatabase(ADMIN_URL, DB_NAME);

  const sandboxes = await launchSandboxes();
  const probe = new Probe();
  let app: INestApplication | undefined;
  let load: LoadGenerator | undefined;
  const db = new Client({ connectionString: dbUrl(DB_NAME) });
  try {
    const env = (appEnv = benchAppEnv(dbUrl(DB_NAME), sandboxes));
    // Migrations run on module init, on the fresh database.
    app = await NestFactory.create(
      AppModule.forRoot(env, { onQuery: probe.onQuery }),
      createHttpAdapter({ ...process.env, ...env }),
      { bodyParser: false, bufferLogs: true },
    );
    configureApp(app, { shutdownHooks: false });
    await app.listen(0, '127.0.0.1');
    probe.attach(app.getHttpServer() as Server);
    const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const token = await fetchToken(baseUrl);
    load = new LoadGenerator();
    const idleRssMB = mb(process.memoryUsage().rss);

    await db.connect();
    const scenarios = await prepareScenarios({
      db,
      baseUrl,
      token,
      durationSeconds: RAMP + DURATION,
      naive: { databaseUrl: dbUrl(DB_NAME), mtApiKey: MT_API_KEY, mtEmail: MT_EMAIL },
    });
    const reports: ScenarioReport[] = [];
    for (const s of scenarios.filter((x) => runs.includes(x.id))) {
      reports.push(await runScenario(s, { db, baseUrl, token, sandboxes, probe, load }));
    }

    printTable(reports);
    const targets = evaluateTargets(reports);
    for (const t of targets)
      console.log(`${t.met === undefined ? '  n/a' : t.met ? '  MET' : ' MISS'}  ${t.target}: ${t.measured}`);
    writeFileSync(
      RESULTS_FILE,
      `${JSON.stringify(
        {
          machine: {
            cpu: os.cpus()[0]?.model,
            cores: os.cpus().length,
            totalMemoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
            node: process.version,
            os: `${os.type()} ${os.release()} ${os.arch()}`,
            date: startedAt.toISOString(),
            loadAverageAtStart,
          },
          config: {
            durationSeconds: DURATION,
            rampSeconds: RAMP,
            database: `PostgreSQL on ${new URL(ADMIN_URL).host}, database ${DB_NAME}`,
            app: {
              DATABASE_POOL_MAX: env.DATABASE_POOL_MAX,
              VENDOR_MAX_CONCURRENCY: env.VENDOR_MAX_CONCURRENCY,
              VENDOR_TIMEOUT_MS: env.VENDOR_TIMEOUT_MS,
            },
            sandboxes: SANDBOXES,
            ...(sandboxNice === undefined ? {} : { sandboxNice }),
            note:
              SANDBOXES === 'inprocess'
                ? 'app, both sandboxes and this harness share one process (RSS and CPU include the sandboxes); autocannon runs in a child process'
                : 'app and harness in one process; sandboxes and autocannon in child processes (RSS and CPU exclude the sandboxes)',
            runtime: __filename.endsWith('.ts')
              ? 'ts-node (RSS includes the TypeScript compiler)'
              : 'compiled JavaScript (bench/.build)',
            idleRssAfterBootMB: idleRssMB,
            git: gitState(),
          },
          scenarios: reports,
          targets,
        },
        null,
        2,
      )}\n`,
    );
    console.log(`\nwrote ${RESULTS_FILE}`);
  } finally {
    probe.stop();
    load?.close();
    await app?.close().catch((e: unknown) => console.error('app close:', e));
    await sandboxes.close().catch((e: unknown) => console.error('sandbox close:', e));
    await db.end().catch(() => undefined);
    if (process.env.BENCH_KEEP_DB !== '1')
      await dropDatabase(ADMIN_URL, DB_NAME).catch((e: unknown) => console.error('drop database:', e));
    clearTimeout(watchdog);
  }
}

/** The commit measured, and whether the working tree had uncommitted changes (other work in progress). */
function gitState(): { commit: string; uncommittedFiles: number } | undefined {
  try {
    const cwd = join(BENCH_DIR, '..');
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'libs', 'bench'], {
      cwd,
      encoding: 'utf8',
    });
    return { commit, uncommittedFiles: dirty.split('\n').filter(Boolean).length };
  } catch {
    return undefined;
  }
}

const CONTROL: Record<Tool, string> = { masteryTrack: '/__sandbox', edulastic: '/api/__sandbox' };

async function setLatency(sandboxes: Sandboxes, ms: number): Promise<void> {
  for (const tool of ['masteryTrack', 'edulastic'] as const) {
    const res = await fetch(`${sandboxes[tool].url}${CONTROL[tool]}/latency`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ms }),
    });
    if (res.status !== 200) throw new Error(`${tool} latency: HTTP ${res.status}`);
  }
}

type Call = { method: string; path: string; status: number; ms?: number };

async function vendorCalls(sandboxes: Sandboxes): Promise<Record<Tool, Call[]>> {
  const get = async (tool: Tool) => {
    const res = await fetch(`${sandboxes[tool].url}${CONTROL[tool]}/calls`);
    return ((await res.json()) as { calls: Call[] }).calls;
  };
  return { masteryTrack: await get('masteryTrack'), edulastic: await get('edulastic') };
}

/** Nearest-rank percentiles of the answered calls' own latency at the stand-ins since `before`. */
function toolLatency(
  before: Record<Tool, unknown[]>,
  after: Record<Tool, Call[]>,
): { p50: number; p99: number; max: number } | undefined {
  const ms = (['masteryTrack', 'edulastic'] as const)
    .flatMap((tool) => after[tool].slice(before[tool].length))
    .flatMap((c) => (c.ms === undefined || c.status === 0 ? [] : [c.ms]))
    .sort((a, b) => a - b);
  if (ms.length === 0) return undefined;
  const rank = (p: number) => ms[Math.min(ms.length - 1, Math.ceil(p * ms.length) - 1)];
  return { p50: rank(0.5), p99: rank(0.99), max: ms[ms.length - 1] };
}

/** Vendor calls since `before`, by tool, method and path (ids folded). */
function callBreakdown(before: Record<Tool, unknown[]>, after: Record<Tool, Call[]>) {
  const out: Record<string, number> = {};
  for (const tool of ['masteryTrack', 'edulastic'] as const) {
    for (const c of after[tool].slice(before[tool].length)) {
      const path = c.path.replace(/[0-9a-f]{24}/g, ':id').replace(/\/\d+(?=\/|$)/g, '/:n');
      const key = `${tool} ${c.method} ${path} ${c.status}`;
      out[key] = (out[key] ?? 0) + 1;
    }
  }
  return out;
}

interface Ctx {
  /** The harness's own connection to the benchmark database (seeding, settling). */
  db: Client;
  baseUrl: string;
  token: string;
  sandboxes: Sandboxes;
  probe: Probe;
  load: LoadGenerator;
}

/** The bare node:http reference (scenario R's server and load) run once more, now: the floor of this minute. */
async function measureFloor(
  s: Scenario,
  ctx: Ctx,
  timeoutSeconds: number,
): Promise<{ requestsPerSecond: number; cpuMsPerRequest: number }> {
  const bare = await launchReference({ kind: 'bare' });
  try {
    // Warmed as R is (its waves), so the floor is not a cold server's.
    await ctx.load.run({
      url: bare.url,
      token: ctx.token,
      connections: s.connections,
      durationSeconds: DURATION,
      amount: waveRequests(s.connections),
      timeoutSeconds,
      plan: { kind: 'get', path: '/' },
    });
    const before = bare.cpuMs();
    const r = await ctx.load.run({
      url: bare.url,
      token: ctx.token,
      connections: s.connections,
      durationSeconds: DURATION,
      rampSeconds: RAMP,
      timeoutSeconds,
      plan: { kind: 'get', path: '/' },
    });
    return {
      requestsPerSecond: r.requestsPerSecond,
      cpuMsPerRequest: (bare.cpuMs() - before) / Math.max(1, r.completedWholeRun),
    };
  } finally {
    bare.close();
  }
}

async function runScenario(s: Scenario, ctx: Ctx): Promise<ScenarioReport> {
  const { probe, load, sandboxes } = ctx;
  console.log(`\n[${s.id}] ${s.title}: ${s.connections} connections, vendor latency ${s.vendorLatencyMs} ms`);
  await setLatency(sandboxes, s.vendorLatencyMs);
  // Each scenario starts on a vacuumed database, as pgbench vacuums before each run: the earlier scenarios leave
  // tens of thousands of dead rows (the write-back updates every result it touches), and this machine's server runs
  // with autovacuum off, so without it a later scenario pays for the earlier ones' garbage (BENCHMARKS.md, session 10).
  await ctx.db.query('vacuum analyze');
  const timeoutSeconds = 10 + Math.ceil(s.vendorLatencyMs / 100);

  // Baseline: GET /health/live (no I/O), same connections and duration. A reference scenario's own window runs
  // in another process, so its profile (BENCH_PROFILE=1) is of the app's baseline: the pipeline every request pays.
  const profileBaseline = PROFILE && s.reference ? await startProfile() : undefined;
  const bw = probe.window();
  const baseline = await load.run({
    url: ctx.baseUrl,
    token: ctx.token,
    connections: s.connections,
    durationSeconds: DURATION,
    rampSeconds: RAMP,
    timeoutSeconds,
    plan: { kind: 'get', path: '/health/live' },
  });
  await probe.drained();
  const b = bw.end();
  if (profileBaseline) writeProfile(`scenario-${s.id}-health`, await profileBaseline(), baseline.sent);
  console.log(
    `    baseline /health/live: ${baseline.requestsPerSecond.toFixed(0)} req/s, p50 ${baseline.latencyMs.p50} ms, p99 ${baseline.latencyMs.p99} ms`,
  );

  const floor = s.adjacentFloor ? await measureFloor(s, ctx, timeoutSeconds) : undefined;
  if (floor)
    console.log(
      `    bare node:http floor, just before: ${floor.requestsPerSecond.toFixed(0)} req/s, ${floor.cpuMsPerRequest.toFixed(3)} ms CPU/req`,
    );

  const reference = s.reference
    ? await launchReference(
        s.reference.kind === 'naive' ? { ...s.reference, masteryTrackUrl: sandboxes.masteryTrack.url } : s.reference,
      )
    : undefined;
  const otlp = s.tracing ? await otlpSink() : undefined;
  const prod: StartProd | undefined = s.startProd
    ? await launchStartProd(s.startProd, {
        ...appEnv,
        ...(otlp ? { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' } : {}),
      })
    : undefined;
  const target = reference?.url ?? prod?.url ?? ctx.baseUrl;
  await s.warmup(target);
  const waves = await load.run({
    url: target,
    token: ctx.token,
    connections: s.connections,
    durationSeconds: DURATION,
    amount: waveRequests(s.connections),
    timeoutSeconds,
    plan: await s.warmupPlan(),
  });
  await probe.drained();
  console.log(
    `    warm-up: ${WARM_WAVES} waves of ${s.connections} concurrent requests (not measured): ` +
      `p50 ${waves.latencyMs.p50} ms, max ${waves.latencyMs.max} ms, non-2xx ${waves.non2xx}, errors ${waves.errors}`,
  );
  const prodCpuBefore = prod?.cpuMs() ?? 0;
  const referenceCpuBefore = reference?.cpuMs() ?? 0;
  const plan = await s.plan();
  const callsBefore = await vendorCalls(sandboxes);
  const sandboxCpuBefore = sandboxes.cpuMs?.();
  const stopProfile = PROFILE && !s.reference ? await startProfile() : undefined;
  const appCpu = reference ?? prod;
  const standInCpu = sandboxes.cpuMs && sandboxes;
  const cpuSources = {
    app: appCpu ? () => appCpu.cpuMs() : ownCpuMs,
    standIn: standInCpu ? () => standInCpu.cpuMs!() : undefined,
    loadPid: load.pid,
    harness: appCpu ? ownCpuMs : undefined,
  };
  const cpuBefore = readCpu(cpuSources);
  const w = probe.window(true);
  const r = await load.run({
    url: target,
    token: ctx.token,
    connections: s.connections,
    durationSeconds: DURATION,
    rampSeconds: RAMP,
    timeoutSeconds,
    plan,
  });
  const cpu = cpuBudget(cpuBefore, readCpu(cpuSources));
  // The reference's own CPU per request it served: the bare server's is the floor every CPU figure is divided by.
  const referenceCpuMs = reference ? reference.cpuMs() - referenceCpuBefore : 0;
  reference?.close();
  otlp?.close(); // the app's last exports may fail now; they are not measured
  await probe.drained(Math.max(500, 3 * s.vendorLatencyMs));
  const m = w.end();
  // start:prod: its own processes' CPU (once they are quiet: abandoned requests still finish) and peak RSS;
  // requests = those autocannon sent, which the app serves whether or not autocannon waited for the answer.
  if (prod) await prod.quiet();
  const prodStats = prod
    ? { cpuMs: prod.cpuMs() - prodCpuBefore, peakRssMB: prod.peakRssMB(), workers: prod.servers().length }
    : undefined;
  await prod?.close();
  if (stopProfile) writeProfile(`scenario-${s.id}`, await stopProfile(), r.sent);
  // Read before the call logs: serving them is the sandboxes' work, not the calls'.
  const sandboxCpuMs = sandboxCpuBefore === undefined ? undefined : sandboxes.cpuMs!() - sandboxCpuBefore;
  const callsAfter = await vendorCalls(sandboxes);
  await setLatency(sandboxes, 0);

  const vendor = {
    masteryTrack: callsAfter.masteryTrack.length - callsBefore.masteryTrack.length,
    edulastic: callsAfter.edulastic.length - callsBefore.edulastic.length,
  };
  const handled = prodStats ? r.sent : m.requests;
  const report: ScenarioReport = {
    id: s.id,
    title: s.title,
    route: s.route,
    connections: s.connections,
    vendorLatencyMs: s.vendorLatencyMs,
    durationSeconds: DURATION,
    requestsPerSecond: r.requestsPerSecond,
    latencyMs: r.latencyMs,
    completed: r.completed,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes: r.statusCodes,
    handledByApp: handled,
    warmupWaves: { requests: waves.completed, non2xx: waves.non2xx, errors: waves.errors, latencyMs: waves.latencyMs },
    baseline: {
      requestsPerSecond: baseline.requestsPerSecond,
      latencyMs: baseline.latencyMs,
      peakRssMB: mb(b.peakRssBytes),
      non2xx: baseline.non2xx,
      cpuMsPerRequest: b.requests ? b.cpuMs / b.requests : 0,
    },
    ratioToBaseline: r.requestsPerSecond / baseline.requestsPerSecond,
    adjacentFloor: floor,
    sqlPerRequest: handled ? m.sql / handled : 0,
    sqlStatements: m.sql,
    sqlShapes: m.shapes,
    vendorCallsPerRequest: handled ? (vendor.masteryTrack + vendor.edulastic) / handled : 0,
    vendorCalls: vendor,
    vendorCallBreakdown: callBreakdown(callsBefore, callsAfter),
    sandboxCpuMsPerCall:
      sandboxCpuMs === undefined || vendor.masteryTrack + vendor.edulastic === 0
        ? undefined
        : sandboxCpuMs / (vendor.masteryTrack + vendor.edulastic),
    peakRssMB: prodStats?.peakRssMB ?? mb(m.peakRssBytes),
    heapUsedMB: mb(m.heapUsedBytes),
    // Over the requests it answered in the whole run, ramp included, as its CPU is (completed counts the window only;
    // sent also counts those still waiting at the end, which the naive flow's pool had not served yet).
    appCpuMsPerRequest: reference
      ? referenceCpuMs / Math.max(1, r.completedWholeRun)
      : handled
        ? (prodStats?.cpuMs ?? m.cpuMs) / handled
        : 0,
    appKernelCpuShare: prodStats || !m.cpuMs ? undefined : m.cpuSystemMs / m.cpuMs,
    eventLoopUtilization: m.eventLoopUtilization,
    cpuBudget: cpu,
    reference: s.reference?.kind ?? (prodStats ? 'startProd' : undefined),
    tracing: s.tracing,
    workers: prodStats?.workers,
    poolWrapped: r.poolWrapped,
    loadAverage1m: os.loadavg()[0],
    ...afterGc(),
  };
  if (s.vendorLatencyMs > 0) {
    const ideal = (s.connections / s.vendorLatencyMs) * 1000;
    report.idealRequestsPerSecond = ideal;
    report.throughputVsIdeal = r.requestsPerSecond / ideal;
    report.p99OverheadMs = r.latencyMs.p99 - s.vendorLatencyMs;
    report.p50OverheadMs = r.latencyMs.p50 - s.vendorLatencyMs;
    report.toolLatencyMs = toolLatency(callsBefore, callsAfter);
  }
  console.log(
    `    ${s.title}: ${r.requestsPerSecond.toFixed(0)} req/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, ` +
      `SQL/req ${report.sqlPerRequest.toFixed(2)}, vendor/req ${report.vendorCallsPerRequest.toFixed(2)}, non-2xx ${r.non2xx}, ` +
      `errors ${r.errors}, peak RSS ${report.peakRssMB} MB, ELU ${m.eventLoopUtilization.toFixed(2)}` +
      (report.appKernelCpuShare === undefined
        ? ''
        : `, kernel share of CPU ${(100 * report.appKernelCpuShare).toFixed(0)} %`) +
      (report.sandboxCpuMsPerCall === undefined
        ? ''
        : `, tool stand-in CPU ${report.sandboxCpuMsPerCall.toFixed(2)} ms/call`) +
      (r.poolWrapped ? '  [WARNING: student/result pool wrapped: some requests were repeats]' : ''),
  );
  console.log(`    ${describeBudget(cpu)}`);
  return report;
}

/** An OTLP/HTTP receiver that accepts and drops every export (tracing on costs the app, not a collector). */
async function otlpSink(): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

/** This process's CPU so far (the app's, with the harness and any in-process stand-ins). */
function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** With --expose-gc: what is still live after a full collection (growth that GC gives back is not a leak). */
function afterGc(): { memoryAtEndMB: Record<string, number>; rssAfterGcMB?: number; heapAfterGcMB?: number } {
  const memoryAtEndMB = Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, mb(v as number)]));
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return { memoryAtEndMB };
  gc();
  const m = process.memoryUsage();
  return { memoryAtEndMB, rssAfterGcMB: mb(m.rss), heapAfterGcMB: mb(m.heapUsed) };
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
