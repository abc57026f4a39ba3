import type { FastifyInstance } from 'fastify';
import { ErrorCode, imsxEnvelope } from '@external-tests/common';

/** What a client waits before it tries again (another instance, or this one restarted). */
const RETRY_AFTER_SECONDS = 1;

/**
 * A request that arrives while the server closes (on a connection kept alive, behind one still in flight): 503 in the
 * imsx envelope, with Retry-After, through the usual hooks (helmet's headers, the access line). Fastify's own answer
 * (`return503OnClosing`, turned off in createHttpAdapter) was a bare JSON body with neither, and was logged nowhere.
 */
export function refuseWhileClosing(fastify: FastifyInstance): void {
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onRequest', (_req, reply, done) => {
    if (!closing) return done();
    void reply
      .code(503)
      .header('Retry-After', String(RETRY_AFTER_SECONDS))
      .header('Connection', 'close')
      .send(imsxEnvelope(503, 'The service is stopping; retry after Retry-After seconds', [{ code: ErrorCode.Busy }]));
  });
}
