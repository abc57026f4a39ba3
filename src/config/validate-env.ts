import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
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
  for (const name of ['MASTERY_TRACK_ACCOUNTS', 'EDULASTIC_ACCOUNTS'] as const) {
    const value = env[name];
    if (value === undefined) continue;
    try {
      const parsed: unknown = JSON.parse(value);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error();
    } catch {
      problems.push(`${name}: must be a JSON object {"<applicationName>": {…}}`);
    }
  }
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
