import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * An onRequest hook answering a path no route serves at once, with the platform's own not-found handler (Nest's: a
 * 404 through the imsx filter, as any unknown path), before the body is read. Left to Fastify, the body would be read
 * and typed first, so its size or its Content-Type (past the limit, not a media type) would turn the 404 into a 413 or
 * a 415 that says nothing of the real mistake. Add it after the hooks that answer first (405, query, headers).
 */
export function answerUnknownPath(req: FastifyRequest, reply: FastifyReply, done: () => void): void {
  if (!req.is404) return done();
  // The handler of Fastify's 404 route is the one set with setNotFoundHandler; it answers on its own, so the lifecycle
  // (and body parsing) stops here. Should it fail, its error goes to the error handler, as Fastify would send it.
  try {
    const answered: unknown = req.routeOptions.handler.call(req.server, req, reply);
    if (answered instanceof Promise) answered.catch((e: unknown) => void reply.send(e));
  } catch (e) {
    void reply.send(e);
  }
}
