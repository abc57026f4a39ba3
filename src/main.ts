import cluster from 'node:cluster';
import { superviseWorkers } from './cluster';
import { validateEnv } from './config/validate-env';

/**
 * Production entry point (`npm run start:prod`). WEB_CONCURRENCY=N (default 1) runs N worker processes sharing the
 * port through node:cluster, one event loop per core; the primary only supervises them (src/cluster.ts).
 */
function workerCount(): number {
  try {
    return validateEnv(process.env).WEB_CONCURRENCY;
  } catch {
    return 1; // the app's own boot names every bad variable
  }
}

if (cluster.isPrimary && workerCount() > 1) superviseWorkers(workerCount());
// Loaded only where it serves: tracing (first import of server.ts) instruments the worker's modules.
else void import('./server');
