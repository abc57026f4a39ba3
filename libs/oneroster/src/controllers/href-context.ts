import { isHost, withoutTrailingSlash } from '@external-tests/common';
import type { HrefContext } from '../mappers/common';
import type { OneRosterOptions } from '../oneroster-options';

/**
 * What hrefContext reads of a request: Fastify's `host` and `protocol` follow a trusted proxy's X-Forwarded-Host
 * and -Proto; `headers.host` is the request's own Host.
 */
export interface HrefRequest {
  protocol: string;
  host: string;
  headers: { host?: string };
}

/**
 * Absolute hrefs start at the configured public address when there is one (a Host header is the caller's to choose,
 * and a proxy may rewrite it to its upstream's name), else at the address the caller used. A proxy's forwarded
 * values (and, in a host app that does not check it before routing, the Host itself) are written into every href, so
 * they are taken only when they are a host and http or https: anything else (a path, a quote, `javascript`) falls
 * back to the request's own Host, else `localhost`, and plain http.
 */
export function hrefContext(req: HrefRequest, options: OneRosterOptions): HrefContext {
  if (options.publicBaseUrl) return { baseUrl: withoutTrailingSlash(options.publicBaseUrl) };
  const protocol = req.protocol.toLowerCase() === 'https' ? 'https' : 'http';
  const host = [req.host, req.headers.host].find((h) => h && isHost(h)) ?? 'localhost';
  return { baseUrl: `${protocol}://${host}` };
}
