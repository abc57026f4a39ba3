/**
 * `npm run start:prod` as the benchmark's scenarios P1/P2 run it: the production entry point (src/main.ts,
 * compiled) in processes of its own, with start:prod's own node options (the heap's bounds), WEB_CONCURRENCY
 * workers. What only the kernel sees of those processes (CPU time, peak RSS) is read from /proc.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../src/cli/free-port';
import { repo } from './paths';

export interface StartProd {
  url: string;
  /** The processes serving requests: the workers, or the process itself with one worker. */
  servers(): number[];
  /** CPU (user + system) of the serving processes since start, in ms. */
  cpuMs(): number;
  /** Largest peak RSS (VmHWM) among the serving processes, in MB. */
  peakRssMB(): number;
  /** Resolves once the serving processes used (almost) no CPU for half a second. */
  quiet(): Promise<void>;
  close(): Promise<void>;
}

export const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ

/** User + system CPU a process has used so far (/proc/<pid>/stat). */
export function cpuMsOf(pid: number): number {
  // Fields after the command name (which may contain spaces): utime is the 12th, stime the 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

function peakRssMBOf(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kb ?? 0) / 1024);
}

/**
 * The node options of package.json's start:prod (`exec node --a --b dist/src/main.js` → ['--a', '--b']; `exec` so
 * npm's signals reach node).
 */
export function startProdNodeOptions(): string[] {
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const options = /^(?:exec )?node((?: --[^\s=]+(?:=\S+)?)*) dist\/src\/main\.js$/.exec(pkg.scripts['start:prod'])?.[1];
  if (options === undefined)
    throw new Error(
      `start:prod is not "[exec ]node [--option…] dist/src/main.js"; bench/start-prod.ts reads its options`,
    );
  return options.split(' ').filter(Boolean);
}

export async function launchStartProd(workers: number, env: Record<string, string>): Promise<StartProd> {
  const ts = __filename.endsWith('.ts');
  const port = await freePort();
  // Compiled: bench/.build/src/main.js with the bench's alias mapping (workers inherit execArgv).
  const args = ts
    ? [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        join(__dirname, '..', 'src', 'main.ts'),
      ]
    : ['-r', join(__dirname, 'paths.js'), join(__dirname, '..', 'src', 'main.js')];
  const child = spawn(process.execPath, [...startProdNodeOptions(), ...args], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', WEB_CONCURRENCY: String(workers) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const servers = (): number[] => {
    if (workers === 1) return [child.pid!];
    try {
      return execFileSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' })
        .split('\n')
        .map((l) => Number(l.trim()))
        .filter((pid) => pid > 0);
    } catch {
      return [];
    }
  };
  for (let i = 0; ; i++) {
    const up = await fetch(`${url}/health/live`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (up && servers().length === workers) break;
    if (i > 200 || child.exitCode !== null) throw new Error(`start:prod (${workers} workers) did not start`);
    await sleep(100);
  }
  await sleep(1000); // every worker listening, not just the first
  return {
    url,
    servers,
    cpuMs: () => servers().reduce((sum, pid) => sum + cpuMsOf(pid), 0),
    peakRssMB: () => Math.max(...servers().map(peakRssMBOf)),
    async quiet() {
      const cpu = () => servers().reduce((sum, pid) => sum + cpuMsOf(pid), 0);
      for (let i = 0, last = cpu(); i < 60; i++) {
        await sleep(500);
        const now = cpu();
        if (now - last <= 20) return;
        last = now;
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
