import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, imsxEnvelope } from '@external-tests/common';

/**
 * RFC 9110 §7.2's Host: a uri-host (a registered name of unreserved, percent-encoded and sub-delim characters, an
 * IPv4 address, or a bracketed IP literal) and an optional port. OneRoster hrefs are built from it: anything else
 * (a path, a quote, a space) would be written into every href of the answer.
 */
const HOST = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+(?::[0-9]{0,5})?$|^\[[0-9A-Fa-f:.]+\](?::[0-9]{0,5})?$/;

/**
 * A request without a Host (HTTP/1.1 requires one, RFC 9112 §3.2: Node's own check answers outside the imsx envelope,
 * so it is turned off and done here), with more than one, or with one that is not a host: 400.
 */
export function refuseBadHost(req: FastifyRequest, reply: FastifyReply, done: () => void): void {
  const host = req.headers.host;
  if (host === undefined ? req.raw.httpVersionMinor === 0 && req.raw.httpVersionMajor === 1 : HOST.test(host))
    return done();
  void reply
    .code(400)
    .send(
      imsxEnvelope(400, host === undefined ? 'The request has no Host header' : 'The Host header is not a host', [
        { code: ErrorCode.InvalidRequest },
      ]),
    );
}
