import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, imsxEnvelope, isHost } from '@external-tests/common';

/**
 * Headers a request may carry once, by the length of their name (what the loop compares first). Node keeps the
 * first of several and drops the rest, so a proxy that reads the last would authorize, route or parse another
 * request than ours.
 */
const SINGLE: Record<number, string> = { 4: 'host', 12: 'content-type', 13: 'authorization' };
const BODYLESS = new Set(['GET', 'HEAD', 'TRACE']);
const NAMED: Record<string, string> = { host: 'Host', 'content-type': 'Content-Type', authorization: 'Authorization' };

/**
 * Refuses a request whose headers cannot be read one way only, before its body is read. 400: a Host, Authorization
 * or Content-Type given more than once; no Host (HTTP/1.1 requires one, RFC 9112 §3.2: Node's own check answers
 * outside the imsx envelope, so it is turned off and done here); a Host that is not a host. 415: a Content-Encoding
 * (RFC 9110 §8.4.1): no body parser here decodes one, so a gzipped body would be read as its compressed bytes, and
 * a plain one labelled gzip would be read as though it were not; a Content-Type that is not a media type. The two
 * body headers are not checked on an unknown path, whose answer is its 404.
 */
export function checkRequestHeaders(req: FastifyRequest, reply: FastifyReply, done: () => void): void {
  const raw = req.raw.rawHeaders;
  const seen: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const single = SINGLE[raw[i].length];
    if (single === undefined || raw[i].toLowerCase() !== single) continue;
    if (seen.includes(single)) return refuse(reply, `The request has more than one ${NAMED[single]} header`);
    seen.push(single);
  }
  // The body's headers matter only where a body is read: an unknown path's is not (answerUnknownPath, its 404).
  if (!req.is404) {
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && !['', 'identity'].includes(encoding.trim().toLowerCase()))
      return refuse(reply, 'Unsupported Content-Encoding: send the body unencoded', 415);
    // Fastify refuses a Content-Type it cannot parse on any method but these, with a bare 415 that says nothing to do.
    if (req.headers['content-type'] !== undefined && req.mediaType === undefined && !BODYLESS.has(req.method))
      return refuse(reply, 'The Content-Type header is not a media type: send the body as application/json', 415);
  }
  const host = req.headers.host;
  if (host === undefined ? req.raw.httpVersionMajor === 1 && req.raw.httpVersionMinor === 0 : isHost(host))
    return done();
  refuse(reply, host === undefined ? 'The request has no Host header' : 'The Host header is not a host');
}

function refuse(reply: FastifyReply, description: string, status = 400): void {
  void reply.code(status).send(imsxEnvelope(status, description, [{ code: ErrorCode.InvalidRequest }]));
}
