import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * helmet's headers on every answer that passes the `onRequest` hooks (404s and errors included; not the 400 that
 * Fastify gives a request it cannot route, configure-app.ts, as with `@fastify/helmet`). helmet's middleware is
 * built once here: `@fastify/helmet` 13 builds it anew on every request, and runs an async hook on every request for
 * its reply decorators (`reply.helmet`, CSP nonces), which nothing here uses (BENCHMARKS.md, session 12).
 */
export function registerSecurityHeaders(fastify: FastifyInstance, options: Readonly<HelmetOptions>): void {
  const setHeaders = helmet(options);
  fastify.addHook('onRequest', (req, reply, done) =>
    setHeaders(req.raw, reply.raw, (e?: unknown) => done(e as Error | undefined)),
  );
}
