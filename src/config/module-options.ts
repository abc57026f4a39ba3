import { CredentialCipher, parseCredentialKeys } from '@external-tests/common';
import { AuthOptions, DEFAULT_AUDIENCE, DEV_ISSUER, ALL_SCOPES } from '@external-tests/auth';
import type { AssignmentsOptions } from '@external-tests/assignments';
import type { PersistenceOptions } from '@external-tests/persistence';
import { DEFAULT_ACCOUNT, EdulasticAccount, MasteryTrackAccount, ProviderOptions } from '@external-tests/providers';
import { Env } from './env.schema';

/** Translates the validated environment into each library module's options. */
export function persistenceOptions(env: Env): PersistenceOptions {
  if (!env.DATABASE_URL) throw new Error('DATABASE_URL is not set (npm start provides an embedded database)');
  return {
    clientUrl: env.DATABASE_URL,
    poolMax: env.DATABASE_POOL_MAX,
    preparedStatements: env.DATABASE_PREPARED_STATEMENTS,
    lockTimeoutMs: env.DATABASE_LOCK_TIMEOUT_MS,
    idleInTransactionTimeoutMs: env.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
  };
}

export function authOptions(env: Env): AuthOptions {
  return {
    jwksUrl: env.AUTH_JWKS_URL,
    jwksCooldownMs: env.AUTH_JWKS_COOLDOWN_MS,
    issuer: env.AUTH_ISSUER ?? DEV_ISSUER,
    audience: env.AUTH_AUDIENCE ?? DEFAULT_AUDIENCE,
    devIssuer: env.AUTH_DEV_ISSUER
      ? {
          clientId: env.AUTH_DEV_CLIENT_ID,
          clientSecret: env.AUTH_DEV_CLIENT_SECRET,
          scopes: env.AUTH_DEV_CLIENT_SCOPES ? env.AUTH_DEV_CLIENT_SCOPES.split(/\s+/).filter(Boolean) : ALL_SCOPES,
          tokenTtlSeconds: env.AUTH_DEV_TOKEN_TTL_SECONDS,
          signingKeyPem: env.AUTH_DEV_SIGNING_KEY,
        }
      : undefined,
  };
}

function accounts<T>(json: string | undefined, defaults: T | undefined): Record<string, T> {
  const named = json ? (JSON.parse(json) as Record<string, T>) : {};
  return defaults ? { [DEFAULT_ACCOUNT]: defaults, ...named } : named;
}

export function providerOptions(env: Env): ProviderOptions {
  const mtDefault: MasteryTrackAccount | undefined =
    env.MASTERY_TRACK_API_KEY && env.MASTERY_TRACK_EMAIL
      ? { apiKey: env.MASTERY_TRACK_API_KEY, email: env.MASTERY_TRACK_EMAIL }
      : undefined;
  const eduDefault: EdulasticAccount | undefined =
    env.EDULASTIC_USERNAME && env.EDULASTIC_PASSWORD
      ? { username: env.EDULASTIC_USERNAME, password: env.EDULASTIC_PASSWORD }
      : undefined;
  return {
    masteryTrack: env.MASTERY_TRACK_BASE_URL
      ? {
          baseUrl: env.MASTERY_TRACK_BASE_URL,
          accounts: accounts(env.MASTERY_TRACK_ACCOUNTS, mtDefault),
          testUrlHosts: (
            env.MASTERY_TRACK_TEST_URL_HOSTS ??
            `masterytrack.ai,alphatest.alpha.school,${new URL(env.MASTERY_TRACK_BASE_URL).host}`
          )
            .split(',')
            .map((h) => h.trim())
            .filter(Boolean),
          writeBackClients: (env.MASTERY_TRACK_WRITEBACK_CLIENTS ?? (env.AUTH_DEV_ISSUER ? env.AUTH_DEV_CLIENT_ID : ''))
            .split(',')
            .map((c) => c.trim())
            .filter(Boolean),
        }
      : undefined,
    edulastic: env.EDULASTIC_BASE_URL
      ? {
          baseUrl: env.EDULASTIC_BASE_URL,
          appUrl: env.EDULASTIC_APP_URL ?? new URL(env.EDULASTIC_BASE_URL).origin,
          accounts: accounts(env.EDULASTIC_ACCOUNTS, eduDefault),
        }
      : undefined,
    http: {
      attemptTimeoutMs: env.VENDOR_TIMEOUT_MS,
      totalDeadlineMs: env.VENDOR_DEADLINE_MS,
      maxAttempts: env.VENDOR_MAX_ATTEMPTS,
      maxConcurrency: env.VENDOR_MAX_CONCURRENCY,
    },
  };
}

export function assignmentsOptions(env: Env): AssignmentsOptions {
  const [active] = parseCredentialKeys(env.CREDENTIALS_KEY!);
  const retired = env.CREDENTIALS_RETIRED_KEYS ? parseCredentialKeys(env.CREDENTIALS_RETIRED_KEYS) : [];
  return {
    cipher: new CredentialCipher(active, retired),
    leaseSeconds: env.ASSIGNMENT_LEASE_SECONDS,
    idempotencyRetentionHours: env.IDEMPOTENCY_RETENTION_HOURS,
  };
}
