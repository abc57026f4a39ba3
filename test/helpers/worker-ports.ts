import { busyPorts } from '../../src/cli/free-port';

/** Below Linux's ephemeral range (32768–60999): no outgoing connection or `listen(0)` is given one of these. */
const FIRST = 20_000;
const BAND = 1_000;

/**
 * `count` distinct ports free now on 127.0.0.1, from a band of this Jest worker's own below the ephemeral range, for
 * a child process that binds them a moment later. A port from `listen(0)` could be handed to another worker's
 * connection or server in that moment (EADDRINUSE); in its own band a worker's suites, which run one after another,
 * are the only ones that pick.
 */
export async function workerPorts(count: number): Promise<number[]> {
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  const start = FIRST + ((worker - 1) % 12) * BAND;
  const picked = new Set<number>();
  for (let tries = 0; picked.size < count; tries++) {
    if (tries === 50) throw new Error(`no ${count} free ports in ${start}–${start + BAND - 1}`);
    const port = start + Math.floor(Math.random() * BAND);
    if (!picked.has(port) && (await busyPorts([port])).length === 0) picked.add(port);
  }
  return [...picked];
}

/** One port of {@link workerPorts}. */
export async function workerPort(): Promise<number> {
  return (await workerPorts(1))[0];
}
