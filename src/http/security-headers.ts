import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * helmet's headers, and `Cache-Control: no-store`, on every answer that passes the `onRequest` hooks (404s and errors included; not the 400 that
 * Fastify gives a request it cannot route, configure-app.ts, as with `@fastify/helmet`). helmet's middleware is
 * built once here: `@fastify/helmet` 13 builds it anew on every request, and runs an async hook on every request for
 * its reply decorators (`reply.helmet`, CSP nonces), which nothing here uses (BENCHMARKS.md, session 12).
 *
 * Every answer is one caller's data (students' names, scores, test passwords) or an error about it, so none is kept by
 * a browser or a cache unless its route says otherwise: a route's own `Cache-Control` (Fastify's reply headers, written
 * last) replaces this one.
 */
export function registerSecurityHeaders(fastify: FastifyInstance, options: Readonly<HelmetOptions>): void {
  const setHeaders = helmet(options);
  fastify.addHook('onRequest', (req, reply, done) => {
    reply.raw.setHeader('Cache-Control', 'no-store');
    setHeaders(req.raw, reply.raw, (e?: unknown) => done(e as Error | undefined));
  });
}
