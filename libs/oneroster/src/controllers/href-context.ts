import type { IncomingHttpHeaders } from 'node:http';
import type { HrefContext } from '../mappers/common';

/** What hrefContext reads of a request: Express's and Fastify's both carry these. */
export interface HrefRequest {
  protocol: string;
  headers: IncomingHttpHeaders;
}

/** Absolute hrefs point back at the host the caller used. */
export function hrefContext(req: HrefRequest): HrefContext {
  return { baseUrl: `${req.protocol}://${req.headers.host ?? 'localhost'}` };
}
