import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * helmet's headers on every answer, 404s and errors included (an `onRequest` hook, as `@fastify/helmet` adds).
 * helmet's middleware is built once here: `@fastify/helmet` 13 builds it anew for every request, and adds an async
 * hook per request for its reply decorators (`reply.helmet`, CSP nonces), which nothing here uses (BENCHMARKS.md,
 * session 12).
 */
export function registerSecurityHeaders(fastify: FastifyInstance, options: Readonly<HelmetOptions>): void {
  const setHeaders = helmet(options);
  fastify.addHook('onRequest', (req, reply, done) => setHeaders(req.raw, reply.raw, () => done()));
}
