import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CredentialCipher, parseCredentialKeys } from '@external-tests/common';
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
  // A Unix socket is named by ?host=/var/run/postgresql.
  const host = url && (url.hostname || url.searchParams.get('host'));
  const ok = url && ['postgres:', 'postgresql:'].includes(url.protocol) && host && url.pathname.length > 1;
  return ok ? [] : ['DATABASE_URL: must be a PostgreSQL URL naming its database (postgresql://user@host:5432/name)'];
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

/** Both variables read as the cipher reads them, so a bad key stops the boot naming its variable. */
function credentialKeyProblems(env: Env): string[] {
  const problems: string[] = [];
  for (const name of ['CREDENTIALS_KEY', 'CREDENTIALS_RETIRED_KEYS'] as const) {
    const value = env[name];
    if (value === undefined) continue;
    try {
      const keys = parseCredentialKeys(value);
      if (keys.length === 0) throw new Error('Credential keys must look like <id>:<base64 32 bytes>');
      new CredentialCipher(keys[0], keys.slice(1));
    } catch (e) {
      problems.push(`${name}: ${(e as Error).message}`);
    }
  }
  return problems;
}

/** The proxy variables (either case) as the tool calls' proxy agent reads them: a URL of a proxy it speaks. */
function proxyProblems(raw: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const base of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY']) {
    for (const name of [base, base.toLowerCase()]) {
      const value = raw[name];
      if (typeof value !== 'string' || value === '') continue;
      let ok = false;
      try {
        const url = new URL(value);
        ok = /^(?:https?|socks[45]?h?):$/.test(url.protocol) && url.hostname !== '';
      } catch {
        ok = false;
      }
      if (!ok) problems.push(`${name}: must be a proxy URL (http://, https:// or socks5://host:port)`);
    }
  }
  return problems;
}
