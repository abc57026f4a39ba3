import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { parseCredentialKeys, PROXY_VARIABLES } from '@external-tests/common';
import { Env } from './env.schema';
import { invalidProxyEntries } from './trusted-proxies';

/** Well-known development key: only ever used outside production (production requires CREDENTIALS_KEY). */
export const DEV_CREDENTIALS_KEY = 'dev:' + Buffer.alloc(32, 'dev-credentials-key-not-secret!!').toString('base64');

/** Validates raw environment values into a typed Env; throws one message naming every bad variable. */
export function validateEnv(raw: Record<string, unknown>): Env {
  const defined = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''));
  const env = plainToInstance(Env, defined, { exposeDefaultValues: true });
  const errors = validateSync(env, { whitelist: false, skipMissingProperties: false });
  const problems = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);

  if (env.NODE_ENV === 'production' && env.AUTH_DEV_ISSUER) {
    problems.push('AUTH_DEV_ISSUER: the development token issuer is refused when NODE_ENV=production');
  }
  if (!env.AUTH_DEV_ISSUER && !env.AUTH_JWKS_URL) {
    problems.push('AUTH_JWKS_URL: required unless AUTH_DEV_ISSUER=true');
  }
  if (env.NODE_ENV === 'production' && !env.DATABASE_URL) {
    problems.push('DATABASE_URL: required when NODE_ENV=production');
  }
  problems.push(...databaseUrlProblems(env.DATABASE_URL));
  problems.push(...publicBaseUrlProblems(env.PUBLIC_BASE_URL));
  problems.push(...accountProblems('MASTERY_TRACK_ACCOUNTS', env.MASTERY_TRACK_ACCOUNTS, ['apiKey', 'email']));
  problems.push(...accountProblems('EDULASTIC_ACCOUNTS', env.EDULASTIC_ACCOUNTS, ['username', 'password']));
  problems.push(...credentialKeyProblems(env));
  problems.push(...proxyProblems(raw));
  const badProxies = invalidProxyEntries(env.TRUSTED_PROXIES);
  if (badProxies.length > 0) {
    problems.push(
      `TRUSTED_PROXIES: not an address, CIDR, loopback, linklocal or uniquelocal: ${badProxies.join(', ')}`,
    );
  }
  if (problems.length > 0) {
    throw new Error(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  env.CREDENTIALS_KEY ??= DEV_CREDENTIALS_KEY;
  return env;
}

// The checks below name the variable and what is wrong, never the value: each may hold a password or a key.

function databaseUrlProblems(value: string | undefined): string[] {
  if (value === undefined) return [];
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  // No host is pg's default, localhost.
  const ok = url && ['postgres:', 'postgresql:'].includes(url.protocol) && url.pathname.length > 1;
  return ok ? [] : ['DATABASE_URL: must be a PostgreSQL URL naming its database (postgresql://user@host:5432/name)'];
}

/** Written at the start of every href and the OpenAPI server: an address and a path, nothing a reader would act on. */
function publicBaseUrlProblems(value: string | undefined): string[] {
  if (value === undefined) return [];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return []; // IsUrl has said so.
  }
  // An empty query or fragment ('…/eta?') is no `search` or `hash`, yet would sit in front of every href's path.
  const extra =
    url.username || url.password
      ? 'credentials'
      : value.includes('?')
        ? 'a query'
        : value.includes('#')
          ? 'a fragment'
          : '';
  return extra ? [`PUBLIC_BASE_URL: must be scheme, host and path only, without ${extra}`] : [];
}

/** A JSON object of accounts by applicationName, each with every one of `fields` as a non-empty string. */
function accountProblems(name: string, value: string | undefined, fields: string[]): string[] {
  if (value === undefined) return [];
  const shape = `{"<applicationName>": {${fields.map((f) => `"${f}": "…"`).join(', ')}}}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return [`${name}: must be JSON: ${shape}`];
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return [`${name}: must be ${shape}`];
  const problems: string[] = [];
  for (const [account, v] of Object.entries(parsed)) {
    const missing = fields.filter(
      (f) => typeof (v as Record<string, unknown> | null)?.[f] !== 'string' || !(v as Record<string, string>)[f],
    );
    if (missing.length > 0) problems.push(`${name}: account '${account}' needs ${missing.join(' and ')} (text)`);
  }
  return problems;
}

/** A key id as the cipher takes it; anything else may be the key itself, put first. */
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Both variables read as the cipher reads them, so a bad key stops the boot naming its variable. An entry is named by
 * its place and, only when it looks like one, its id (a key written the wrong way round would show the key).
 */
function credentialKeyProblems(env: Env): string[] {
  const problems: string[] = [];
  for (const name of ['CREDENTIALS_KEY', 'CREDENTIALS_RETIRED_KEYS'] as const) {
    const value = env[name];
    if (value === undefined) continue;
    const entries = value
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    if (entries.length === 0) problems.push(`${name}: must be <id>:<base64 of 32 bytes>`);
    entries.forEach((entry, i) => {
      const [key] = entry.indexOf(':') > 0 ? parseCredentialKeys(entry) : [];
      const which = `entry ${i + 1}${key && KEY_ID.test(key.id) ? ` ('${key.id}')` : ''}`;
      if (!key || !KEY_ID.test(key.id))
        problems.push(`${name}: ${which} must be <id>:<base64 of 32 bytes>, the id [A-Za-z0-9_-]`);
      else if (key.key.length !== 32)
        problems.push(`${name}: ${which} must hold 32 bytes (base64), not ${key.key.length}`);
    });
  }
  return problems;
}

/** What the tool calls' proxy agent (proxy-agent) speaks. */
const PROXY_PROTOCOL = /^(?:https?|socks[45]?[ah]?|pac\+(?:data|file|ftp|https?)):$/;

/**
 * The proxy variables (either case) as the tool calls' proxy agent reads them: a URL of a proxy it speaks, or a bare
 * `host:port` (proxy-from-env puts the request's scheme in front).
 */
function proxyProblems(raw: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const lower of PROXY_VARIABLES) {
    for (const name of [lower.toUpperCase(), lower]) {
      const value = raw[name];
      if (typeof value !== 'string' || value === '') continue;
      let ok = false;
      try {
        const url = new URL(value.includes('://') ? value : `http://${value}`);
        ok = PROXY_PROTOCOL.test(url.protocol) && (url.hostname !== '' || url.protocol.startsWith('pac+'));
      } catch {
        ok = false;
      }
      if (!ok) problems.push(`${name}: must be a proxy URL (http://, https://, socks5://host:port) or host:port`);
    }
  }
  return problems;
}
