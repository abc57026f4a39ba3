import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode, imsxEnvelope } from '@external-tests/common';

/**
 * Requests Node's HTTP parser refuses before Fastify has a request to route (a malformed request line or header,
 * headers over the size limit, a request that took too long to arrive): answered in the imsx envelope like every
 * other error (Fastify's default answers with a body of its own), on the raw socket, which then closes: the parser
 * cannot read on past such bytes.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A connection the client reset has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, description] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'The request took too long to arrive']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'The request headers are too large']
        : [400, 'The request is malformed'];
  const body = JSON.stringify(imsxEnvelope(status, description, [{ code: ErrorCode.InvalidRequest }]));
  // Not after an answer already under way on this connection (one sent before the body was read, say a 405):
  // Node's own handler holds back the same way.
  const answering = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (socket.writable && !answering)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n' +
        body,
    );
  socket.destroy(error);
}
