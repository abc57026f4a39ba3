import cluster, { type Worker } from 'node:cluster';
import { newDevSigningKeyPem } from '@external-tests/auth';
import { validateEnv } from './config/validate-env';
import { STOP_SIGNALS } from './stop-signals';

/** Restarts allowed within RESTART_WINDOW_MS before the primary gives up (a worker that cannot boot). */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 30_000;

/** One JSON line on stderr, shaped like the workers' pino entries (level 40 warn, 50 error). */
function log(level: 40 | 50, msg: string): void {
  process.stderr.write(JSON.stringify({ level, time: Date.now(), pid: process.pid, context: 'Cluster', msg }) + '\n');
}

/**
 * The primary of a clustered start: forks `count` workers (each a whole app with its own pool of
 * DATABASE_POOL_MAX connections) and replaces one that dies. The stop signals (STOP_SIGNALS) are passed on, so
 * each worker drains its in-flight requests (enableShutdownHooks; Nest ignores a repeated signal while it drains, so Ctrl-C
 * reaching the whole group as well is harmless); the primary exits once every worker has, non-zero if one failed.
 * Workers that keep dying stop the whole cluster. With the dev issuer on, the workers share one signing key (a
 * token from one is valid at every other).
 */
export function superviseWorkers(count: number): void {
  if (validateEnv(process.env).AUTH_DEV_ISSUER && !process.env.AUTH_DEV_SIGNING_KEY)
    process.env.AUTH_DEV_SIGNING_KEY = newDevSigningKeyPem();
  let stopping = false;
  let exitCode = 0;
  let sent: NodeJS.Signals | undefined;
  const restarts: number[] = [];
  const live = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
  const stop = (signal: NodeJS.Signals, code = 0) => {
    exitCode ||= code;
    if (stopping) return;
    stopping = true;
    sent = signal;
    if (live().length === 0) process.exit(exitCode);
    for (const worker of live()) worker.process.kill(signal);
  };

  cluster.on('exit', (worker: Worker, code, signal) => {
    if (stopping) {
      // Nest ends a drained worker by re-raising the signal it was sent: that is a clean stop.
      if ((code !== null && code !== 0) || (signal !== null && signal !== sent)) exitCode ||= 1;
      if (live().length === 0) process.exit(exitCode);
      return;
    }
    const now = Date.now();
    restarts.push(now);
    while (restarts[0] < now - RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length > MAX_RESTARTS) {
      log(50, `Workers keep dying (${restarts.length} in ${RESTART_WINDOW_MS / 1000} s); stopping`);
      return stop('SIGTERM', 1);
    }
    log(40, `Worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    cluster.fork();
  });
  // Unhandled, a hang-up would end the primary at once, and Node's workers exit as soon as it is gone, undrained.
  for (const signal of STOP_SIGNALS) process.on(signal, () => stop(signal));

  for (let i = 0; i < count; i++) cluster.fork();
}
