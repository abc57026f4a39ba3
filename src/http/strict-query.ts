import type { FastifyReply, FastifyRequest } from 'fastify';
import { parse } from 'node:querystring';
import { ErrorCode, imsxEnvelope } from '@external-tests/common';

/** What parseQuery answers for a query string that does not decode: the hook below refuses the request. */
const MALFORMED: Record<string, string> = Object.freeze(Object.create(null) as Record<string, string>);

/**
 * The router's query-string parser. Fastify's default keeps a percent sequence that does not decode (a lone `%`,
 * `%FF`, which is no UTF-8) as its raw text, so `%FF` and `%25FF` would read the same; a path parameter with the
 * same bytes is a 400. Such a query is a 400 too. A query that decodes is parsed as before: repeated names give an
 * array, `+` is a space, and a non-empty one's object has no prototype.
 */
export function parseQuery(query: string): Record<string, unknown> {
  // Most requests have none (the router asks for every request): as Fastify's default answers it.
  if (query.length === 0) return {};
  if (query.includes('%')) {
    try {
      decodeURIComponent(query);
    } catch {
      return MALFORMED;
    }
  }
  // Every pair, as Fastify's parser kept them (node:querystring stops at 1000 by default).
  return parse(query, '&', '=', { maxKeys: 0 });
}

/** An onRequest hook: 400 in the imsx envelope for a query string parseQuery could not decode. */
export function refuseMalformedQuery(req: FastifyRequest, reply: FastifyReply, done: () => void): void {
  if (req.query !== MALFORMED) return done();
  void reply
    .code(400)
    .send(
      imsxEnvelope(400, 'The query string is malformed: a percent-encoded sequence does not decode', [
        { code: ErrorCode.InvalidRequest },
      ]),
    );
}
