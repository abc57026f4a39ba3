/**
 * `npm run bench:instructions`: instructions per request, counted by valgrind's callgrind in the processes that serve
 * them, for `npm run start:prod`'s app and for a bare node:http server counted the same way in the same run. A count
 * hardly depends on what else the host runs, so a change too small for the timed bench (`npm run bench`;
 * BENCHMARKS.md) can show here. It says nothing about waiting (the database, the tools), nor about what an instruction
 * costs (cache misses, the CPU).
 *
 * A fresh database (migrated, seeded), both tool sandboxes in this process, then each server under callgrind with
 * counting off: each kind of request is sent BENCH_IR_WARMUP times, one after another (the code gets compiled and
 * optimized), then counted in BENCH_IR_WINDOWS windows of BENCH_IR_REQUESTS requests. The table gives, per request,
 * the work (the count without the optimizing compiler and the collector: `Split`) as the mean over the windows and
 * their range, and the two parts left out.
 *
 *   npm run bench:instructions   (tsc -p bench/tsconfig.json && node bench/.build/bench/instructions.js)
 *   BENCH_IR_WARMUP=1000   BENCH_IR_REQUESTS=200   BENCH_IR_WINDOWS=5   BENCH_IR_KEEP_DUMPS=1 (for callgrind_annotate)
 *   BENCH_ADMIN_URL=postgresql://postgres@127.0.0.1:5432/postgres
 */
import './paths';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { runMigrations } from '@external-tests/persistence';
import { startSandboxes } from '@external-tests/sandbox';
import { freePort } from '../src/cli/free-port';
import { benchAppEnv, EDU_PASSWORD, EDU_USER, fetchToken, MT_API_KEY, MT_EMAIL } from './app-env';
import { assign, expectOk, writeBack } from './scenarios';
import { dropDatabase, recreateDatabase, seedAssignedResults, seedLesson, seedStudents, seedTrack } from './seed';
import { startProdNodeOptions } from './start-prod';

const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DB_NAME = 'eta_bench_instructions';
const WARMUP = Number(process.env.BENCH_IR_WARMUP ?? 1000);
const COUNTED = Number(process.env.BENCH_IR_REQUESTS ?? 200);
const WINDOWS = Number(process.env.BENCH_IR_WINDOWS ?? 5);
/** Keep each window's dump, with its cost by function, for `callgrind_annotate`. */
const KEEP_DUMPS = process.env.BENCH_IR_KEEP_DUMPS === '1';
/**
 * V8 compiles and collects on helper threads as well, at moments that depend on timing; on the main thread alone the
 * same work is done where it is due, so two runs count the same. The work is the same either way; only where it runs
 * differs.
 */
const V8_OPTIONS = ['--single-threaded', '--predictable-gc-schedule'];
/** Booting under valgrind takes a while: the app's JavaScript runs on valgrind's simulated CPU, counted or not. */
const BOOT_TIMEOUT_MS = 600_000;

function withoutHost(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const { HOST: _host, ...rest } = env;
  return rest;
}

/**
 * A window's instructions, and two parts of them that say little about a change to the app's code:
 * - V8's optimizing compiler (inclusive of `Compiler::CompileOptimized`, on the main thread with --single-threaded). It
 *   still optimizes functions that run once a request thousands of requests into a run (their tier-up budget runs
 *   out slowly); a long-running service has long finished with them. It was most of a window's count, and most of
 *   the spread between windows.
 * - The garbage collector and the heap's slow paths (functions of V8's heap, by their own cost: incremental marking
 *   runs from allocation and from tasks, not only inside `Heap::CollectGarbage`). A major collection lands in some
 *   windows and not others. What of it runs inside the compiler is counted twice: well under 0.1 % of the work.
 * What is left, "work", is what the requests' code ran (with the write barriers and allocation fast paths in it):
 * its windows agree within a few per cent (BENCHMARKS.md, session 22).
 */
interface Split {
  total: number;
  compile: number;
  gc: number;
}

/**
 * Where V8 enters its optimizing compilers (TurboFan, and Maglev on Node 22 and later), whichever runtime function
 * asked: Node 20 enters through Runtime_CompileOptimized, Node 24 through Runtime_OptimizeTurbofanEager and
 * Runtime_OptimizeMaglevEager, all of them through these two.
 */
const COMPILE_ROOT = /^\s*([\d,]+) .*v8::internal::Compiler::CompileOptimized(?:OSR)?\(/gm;
/** V8's heap and collector, by function name (callgrind names the node binary's C++ functions). */
const GC_FUNCTION =
  /v8::internal::(?:\w*Marking\w*|MarkCompact\w*|\w*Sweeper\w*|Scavenge\w*|\w*Evacuat\w*|Heap::|LiveObjectRange|RememberedSet|SlotSet|TypedSlot|MemoryAllocator|MemoryChunk|Page::|BodyDescriptorBase::Iterate|BodyDescriptorApply|\w*Visitor::|GCTracer|WeakObjects|Worklist|HeapObject::SizeFromMap|Pretenuring|LargeObjectSpace|PagedSpace|NewSpace|SemiSpace|FreeList|RelocIterator|InternalizedStringTableCleaner|SharedFunctionInfo::ShouldFlushCode|JSFunction::NeedsResetDueToFlushedBytecode|\(anonymous namespace\)::RememberedSetUpdatingItem)|heap::base::|cppgc::/;
const COST_LINE = /^\s*([\d,]+) \([^)]*\)\s+(.*)$/gm;

function annotate(file: string, inclusive: boolean): string {
  return execFileSync('callgrind_annotate', [`--inclusive=${inclusive ? 'yes' : 'no'}`, '--threshold=100', file], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
}

function split(file: string, total: number): Split {
  const count = (digits: string) => Number(digits.replace(/,/g, ''));
  const compile = [...annotate(file, true).matchAll(COMPILE_ROOT)].reduce((a, m) => a + count(m[1]), 0);
  let gc = 0;
  for (const [, cost, fn] of annotate(file, false).matchAll(COST_LINE))
    if (GC_FUNCTION.test(fn) && !fn.includes('PROGRAM TOTALS')) gc += count(cost);
  return { total, compile, gc };
}

/** A server under callgrind, counting off until `count` turns it on. */
interface Counted {
  url: string;
  /** Instructions of `n` requests sent by `send` (one after another), counting on only while they run. */
  count(label: string, n: number, send: (i: number) => Promise<void>): Promise<Split>;
  stop(): Promise<void>;
}

async function underCallgrind(args: string[], env: Record<string, string>, ready: string): Promise<Counted> {
  const dir = mkdtempSync(join(tmpdir(), 'eta-callgrind-'));
  const port = await freePort();
  const child = spawn(
    'valgrind',
    ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${join(dir, 'callgrind.out')}`, ...args],
    {
      // Not HOST (the app's default is 127.0.0.1): with it in the environment, callgrind 3.19 writes no dump.
      env: { ...withoutHost(process.env), ...env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + BOOT_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}) under valgrind:\n${stderr}`);
    const up = await fetch(`${url}${ready}`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server not ready after ${BOOT_TIMEOUT_MS} ms:\n${stderr}`);
    }
    await sleep(1000);
  }
  let dumps = 0;
  const control = (...a: string[]) => execFileSync('callgrind_control', [...a, String(child.pid)], { stdio: 'pipe' });
  return {
    url,
    async count(label, n, send) {
      control('--zero');
      control('--instr=on');
      for (let i = 0; i < n; i++) await send(i);
      control('--instr=off');
      control(`--dump=${label}`);
      // callgrind writes the dump (.1, .2, … after the output file's name) as the process next runs: wait for it whole.
      const file = join(dir, `callgrind.out.${++dumps}`);
      let total: string | undefined;
      for (const until = Date.now() + 60_000; !total; await sleep(200)) {
        if (Date.now() > until)
          throw new Error(`callgrind wrote no dump ${file} (${readdirSync(dir).join(', ')}):\n${stderr}`);
        total = /^totals:\s+(\d+)/m.exec(existsSync(file) ? readFileSync(file, 'utf8') : '')?.[1];
      }
      return split(file, Number(total));
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      if (KEEP_DUMPS) console.log(`callgrind's dumps (callgrind_annotate reads them): ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The same small JSON the timed bench's bare reference (reference-worker.ts) answers. */
const BARE_SERVER = [
  "require('node:http').createServer((req, res) => {",
  "res.writeHead(200, { 'content-type': 'application/json' }); res.end('{\"status\":\"ok\"}');",
  '}).listen(Number(process.env.PORT));',
].join(' ');

async function main(): Promise<void> {
  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = `/${DB_NAME}`;
  await recreateDatabase(ADMIN_URL, DB_NAME);
  await runMigrations({ clientUrl: dbUrl.toString() });
  const sandboxes = await startSandboxes({
    masteryTrack: { apiKey: MT_API_KEY, integratorEmails: [MT_EMAIL] },
    edulastic: { accounts: [{ username: EDU_USER, password: EDU_PASSWORD }] },
  });
  const db = new Client({ connectionString: dbUrl.toString() });
  await db.connect();
  const servers: Counted[] = [];
  try {
    const requests = WARMUP + WINDOWS * COUNTED;
    await seedLesson(db, {
      id: 'bench-mt-1',
      toolProvider: 'mastery-track',
      lessonType: 'test-out',
      subject: 'Math',
      grades: ['4'],
    });
    await seedStudents(db, 'bench-s1-', requests);
    await seedLesson(db, {
      id: 'bench-mt-4',
      toolProvider: 'mastery-track',
      lessonType: 'test-out',
      subject: 'Math',
      grades: ['4'],
    });
    await seedAssignedResults(db, {
      lesson: 'bench-mt-4',
      lineItem: 'bench-li-4',
      resultPrefix: 'bench-r4-',
      studentPrefix: 'bench-s4-',
      count: requests,
    });
    await seedTrack(db, 'Math', '5');
    await db.query('analyze');

    const bare = await underCallgrind([process.execPath, ...V8_OPTIONS, '-e', BARE_SERVER], {}, '/');
    servers.push(bare);
    const get = (url: string, path: string, token?: string) => async () =>
      expectOk(fetch(`${url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {}), path);
    /** Each window's split, per request. */
    const measure = async (server: Counted, label: string, send: (i: number) => Promise<void>) => {
      for (let i = 0; i < WARMUP; i++) await send(i);
      const windows: Split[] = [];
      for (let w = 0; w < WINDOWS; w++) {
        const from = WARMUP + w * COUNTED;
        const { total, compile, gc } = await server.count(`${label}-${w}`, COUNTED, (i) => send(from + i));
        windows.push({ total: total / COUNTED, compile: compile / COUNTED, gc: gc / COUNTED });
      }
      return windows;
    };
    const bareGet = get(bare.url, '/');
    const floor = await measure(bare, 'bare', () => bareGet());

    const app = await underCallgrind(
      [
        process.execPath,
        ...startProdNodeOptions(),
        ...V8_OPTIONS,
        '-r',
        join(__dirname, 'paths.js'),
        join(__dirname, '..', 'src', 'main.js'),
      ],
      { ...benchAppEnv(dbUrl.toString(), sandboxes), WEB_CONCURRENCY: '1' },
      '/health/live',
    );
    servers.push(app);
    const token = await fetchToken(app.url);
    const health = get(app.url, '/health/live');
    const rows: [string, Split[]][] = [
      ['bare node:http, small JSON', floor],
      ['GET /health/live', await measure(app, 'health', () => health())],
      [
        'new MasteryTrack assignment',
        await measure(app, 'assign', (i) => expectOk(assign(app.url, token, `bench-s1-${i}`, 'bench-mt-1'), 'assign')),
      ],
      [
        'repeat call (already assigned)',
        await measure(app, 'repeat', (i) =>
          expectOk(assign(app.url, token, `bench-s1-${i % requests}`, 'bench-mt-1'), 'repeat'),
        ),
      ],
      ['write-back PUT', await measure(app, 'writeback', (i) => expectOk(writeBack(app.url, token, i), 'write-back'))],
    ];
    const m = (ir: number) => `${(ir / 1e6).toFixed(3)} M`;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    /** What the requests' own code ran: everything but the optimizing compiler and the collector. */
    const work = (w: Split) => w.total - w.compile - w.gc;
    const floorWork = mean(floor.map(work));
    // After a thousand requests of a kind V8 still optimizes something in some window: none at all means the split
    // did not find the compiler (another V8, other symbol names) and "work" includes it.
    if (rows.every(([, w]) => w.every((x) => x.compile === 0)))
      console.warn('\nWARNING: no optimizing compiler in any window; "work" includes it (see COMPILE_ROOT)');
    console.log(
      `\ninstructions per request (callgrind, ${process.version}; ${WARMUP} warm-up requests, then ${WINDOWS} windows ` +
        `of ${COUNTED}, one request at a time; mean over the windows, and their range). "Work" leaves out V8's ` +
        `optimizing compiler, which a long-running service has finished with, and the garbage collector, shown apart.\n`,
    );
    console.log('| request | work | range | ÷ bare node:http | GC | compiler | all |');
    console.log('|---|--:|--:|--:|--:|--:|--:|');
    for (const [what, w] of rows) {
      const works = w.map(work).sort((a, b) => a - b);
      console.log(
        `| ${what} | ${m(mean(works))} | ${m(works[0])}–${m(works[works.length - 1])} | ` +
          `${(mean(works) / floorWork).toFixed(1)} | ${m(mean(w.map((x) => x.gc)))} | ` +
          `${m(mean(w.map((x) => x.compile)))} | ${m(mean(w.map((x) => x.total)))} |`,
      );
    }
  } finally {
    for (const s of servers) await s.stop().catch(() => undefined);
    await db.end().catch(() => undefined);
    await sandboxes.close().catch(() => undefined);
    await dropDatabase(ADMIN_URL, DB_NAME).catch((e: unknown) => console.error('drop database:', e));
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
