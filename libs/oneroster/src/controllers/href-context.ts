import type { HrefContext } from '../mappers/common';
import type { OneRosterOptions } from '../oneroster-options';

/** What hrefContext reads of a request: Fastify's `host` and `protocol` follow a trusted proxy's X-Forwarded-*. */
export interface HrefRequest {
  protocol: string;
  host: string;
}

/**
 * Absolute hrefs start at the configured public address when there is one (a Host header is the caller's to choose,
 * and a proxy may rewrite it to its upstream's name), else at the address the caller used.
 */
export function hrefContext(req: HrefRequest, options: OneRosterOptions): HrefContext {
  return { baseUrl: options.publicBaseUrl?.replace(/\/+$/, '') ?? `${req.protocol}://${req.host || 'localhost'}` };
}
