import cluster, { type Worker } from 'node:cluster';
import { newDevSigningKeyPem } from '@app/auth';
import { validateEnv } from './config/validate-env';

/** Restarts allowed within RESTART_WINDOW_MS before the primary gives up (a worker that cannot boot). */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 30_000;

/** One JSON line on stderr, shaped like the workers' pino entries (level 40 warn, 50 error). */
function log(level: 40 | 50, msg: string): void {
  process.stderr.write(JSON.stringify({ level, time: Date.now(), pid: process.pid, context: 'Cluster', msg }) + '\n');
}

/**
 * The primary of a clustered start: forks `count` workers (each a whole app with its own pool of
 * DATABASE_POOL_MAX connections) and replaces one that dies. SIGTERM (what an orchestrator sends the primary) is
 * passed on, so each worker drains its in-flight requests (enableShutdownHooks); SIGINT is not, since Ctrl-C
 * already reached the whole process group and a second signal would cut a worker's drain short. The primary
 * exits once every worker has. With the dev issuer on, the workers share one signing key (a token from one is
 * valid at every other).
 */
export function superviseWorkers(count: number): void {
  if (validateEnv(process.env).AUTH_DEV_ISSUER && !process.env.AUTH_DEV_SIGNING_KEY)
    process.env.AUTH_DEV_SIGNING_KEY = newDevSigningKeyPem();
  let stopping = false;
  const restarts: number[] = [];

  cluster.on('exit', (worker: Worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    const now = Date.now();
    restarts.push(now);
    while (restarts[0] < now - RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length > MAX_RESTARTS) {
      log(50, `Workers keep dying (${restarts.length} in ${RESTART_WINDOW_MS / 1000} s); stopping`);
      process.exit(1);
    }
    log(40, `Worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    cluster.fork();
  });

  const stop = (forward: boolean) => {
    if (stopping) return;
    stopping = true;
    const live = Object.values(cluster.workers ?? {});
    if (live.length === 0) process.exit(0);
    if (forward) for (const worker of live) worker?.process.kill('SIGTERM');
  };
  process.once('SIGTERM', () => stop(true));
  process.once('SIGINT', () => stop(false));

  for (let i = 0; i < count; i++) cluster.fork();
}
