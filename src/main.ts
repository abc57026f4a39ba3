import cluster from 'node:cluster';

/**
 * Production entry point (`npm run start:prod`). WEB_CONCURRENCY=N (default 1) runs N worker processes sharing the
 * port through node:cluster, one event loop per core; the primary only supervises them (src/cluster.ts). Nothing
 * else loads here: a worker's first import must be server.ts's tracing, since instrumentations patch modules
 * (@nestjs/core, http, pg) only as they load.
 */
const raw = Number(process.env.WEB_CONCURRENCY ?? 1);
// A bad value falls through to one process, whose boot (validateEnv) names it.
const workers = Number.isInteger(raw) && raw >= 1 && raw <= 64 ? raw : 1;

if (cluster.isPrimary && workers > 1)
  void import('./cluster')
    .then((c) => c.superviseWorkers(workers))
    .catch((e: unknown) => import('./boot-failure').then((b) => b.exitOnBootFailure(e)));
else void import('./server');
