/**
 * Where the machine's vCPUs went during one measured run: the app, PostgreSQL, the tool stand-in, the load generator
 * and everything else, each as vCPUs (CPU ms ÷ wall ms). On this two-vCPU machine a scenario that is short of its
 * ideal throughput is short of CPU somewhere; this says whose.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { CLOCK_TICKS_PER_SECOND, cpuMsOf } from './start-prod';

export interface CpuBudget {
  /** The machine's vCPUs. */
  vcpus: number;
  /** Busy vCPUs in all: /proc/stat's user, nice, system, irq, softirq and steal. */
  busy: number;
  app: number;
  /** Every `postgres` process (the benchmark's backends, the server's own workers). */
  postgres: number;
  /** The tool stand-ins' process (BENCH_SANDBOXES=process); in-process stand-ins count as the app. */
  toolStandIn?: number;
  /** autocannon's process. */
  load: number;
  /** This process when it is not the app (start:prod, a reference): its probes, and the OTLP sink of T1. */
  harness?: number;
  /** Busy, but none of the above: other processes, and the kernel's work no process is charged for. */
  other: number;
}

export interface CpuReading {
  at: number;
  busyMs: number;
  appMs: number;
  /** By process: a backend that exits between two readings must not take its earlier time off the sum. */
  postgresMs: Map<number, number>;
  standInMs?: number;
  loadMs: number;
  harnessMs?: number;
}

/** What the processes that make up a scenario have used so far. */
export interface CpuSources {
  app(): number;
  standIn?(): number;
  loadPid: number;
  harness?(): number;
}

export function readCpu(sources: CpuSources): CpuReading {
  return {
    at: performance.now(),
    busyMs: machineBusyMs(),
    appMs: sources.app(),
    postgresMs: postgresMs(),
    standInMs: sources.standIn?.(),
    loadMs: cpuMsOf(sources.loadPid),
    harnessMs: sources.harness?.(),
  };
}

export function cpuBudget(a: CpuReading, b: CpuReading): CpuBudget {
  const wall = b.at - a.at;
  const share = (before: number, after: number) => Math.max(0, after - before) / wall;
  const budget = {
    vcpus: cpus().length,
    busy: share(a.busyMs, b.busyMs),
    app: share(a.appMs, b.appMs),
    postgres:
      [...b.postgresMs].reduce((sum, [pid, ms]) => sum + Math.max(0, ms - (a.postgresMs.get(pid) ?? 0)), 0) / wall,
    toolStandIn: a.standInMs === undefined || b.standInMs === undefined ? undefined : share(a.standInMs, b.standInMs),
    load: share(a.loadMs, b.loadMs),
    harness: a.harnessMs === undefined || b.harnessMs === undefined ? undefined : share(a.harnessMs, b.harnessMs),
  };
  const named = budget.app + budget.postgres + (budget.toolStandIn ?? 0) + budget.load + (budget.harness ?? 0);
  return { ...budget, other: Math.max(0, budget.busy - named) };
}

export function describeBudget(b: CpuBudget): string {
  const f = (n: number) => n.toFixed(2);
  return (
    `vCPUs busy ${f(b.busy)} of ${b.vcpus}: app ${f(b.app)}, PostgreSQL ${f(b.postgres)}` +
    (b.toolStandIn === undefined ? '' : `, tool stand-in ${f(b.toolStandIn)}`) +
    `, load ${f(b.load)}` +
    (b.harness === undefined ? '' : `, harness ${f(b.harness)}`) +
    `, other ${f(b.other)}`
  );
}

/** The machine's busy time over all vCPUs (the `cpu` line of /proc/stat, in USER_HZ ticks). */
function machineBusyMs(): number {
  const stat = readFileSync('/proc/stat', 'utf8');
  const [, user, nice, system, , , irq, softirq, steal] = stat
    .slice(0, stat.indexOf('\n'))
    .trim()
    .split(/\s+/)
    .map(Number);
  return ((user + nice + system + irq + softirq + steal) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/**
 * CPU used so far by each process named `postgres`. A backend that exits between two readings (an idle connection
 * its pool closed) takes its time in the window with it: a little is missed, rather than its whole life subtracted.
 */
function postgresMs(): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres')
        byPid.set(Number(entry), cpuMsOf(Number(entry)));
    } catch {
      // gone since the listing
    }
  }
  return byPid;
}
