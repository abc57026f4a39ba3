import { isIP } from 'node:net';

/** The names Fastify's `trustProxy` understands besides addresses (proxy-addr, as Express's `trust proxy`). */
const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/** TRUSTED_PROXIES as the list Fastify's `trustProxy` takes; empty when unset. */
export function trustedProxies(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/** Entries that are neither an IP address, a CIDR range nor one of the named ranges. */
export function invalidProxyEntries(raw: string | undefined): string[] {
  return trustedProxies(raw).filter((entry) => {
    if (NAMED_RANGES.includes(entry)) return false;
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || rest.length > 0) return true;
    if (prefix === undefined) return false;
    const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
    return !(bits >= 0 && bits <= (family === 4 ? 32 : 128));
  });
}
