import { Transform, Type } from 'class-transformer';
import { withoutTrailingSlash } from '@external-tests/common';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Max, Min, ValidateIf } from 'class-validator';

/** A boolean environment value as the service reads it: true, 1, yes or on (any case) is true, any other text false. */
/** The words a flag may be. Anything else is no flag, which IsBoolean refuses: a typo does not read as false. */
const FLAG_WORDS = new Map([
  ...['true', '1', 'yes', 'on'].map((w) => [w, true] as const),
  ...['false', '0', 'no', 'off'].map((w) => [w, false] as const),
]);
/** A flag's value, or undefined when `value` is none of FLAG_WORDS. */
export const readFlag = (value: string): boolean | undefined => FLAG_WORDS.get(value.trim().toLowerCase());
const toBool = ({ value }: { value: unknown }) => (typeof value === 'string' ? (readFlag(value) ?? value) : value);
/** IsBoolean's message for a flag. */
const FLAG = { message: '$property must be true or false (or 1/0, yes/no, on/off)' };
const URL_OPTS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/**
 * Every environment variable the service reads, with its default. README's configuration table mirrors
 * this class; `validateEnv` refuses to boot on a bad value and names it.
 */
export class Env {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '127.0.0.1';

  /**
   * Base URL under which callers reach this service: OneRoster hrefs start with it, the sandbox writes back to it.
   * Read without trailing slashes; validateEnv refuses credentials, a query or a fragment in it.
   */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? withoutTrailingSlash(value) : value))
  @IsUrl(URL_OPTS)
  PUBLIC_BASE_URL?: string;

  /** Requests per minute per authenticated OAuth client. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_PER_MINUTE = 1200;

  /**
   * Requests per minute per client address for everything unauthenticated (public routes, failed authentication);
   * unset = half of RATE_LIMIT_PER_MINUTE, so raising that one raises both.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_ANONYMOUS_PER_MINUTE?: number;

  /**
   * Proxies whose X-Forwarded-For is believed (comma-separated addresses, CIDRs or `loopback`, `linklocal`,
   * `uniquelocal`); empty = none, the socket address is the client.
   */
  @IsOptional()
  @IsString()
  TRUSTED_PROXIES?: string;

  /** How long a whole request (headers and body) may take to arrive before it is answered 408 and closed. */
  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(600_000)
  HTTP_REQUEST_TIMEOUT_MS = 30_000;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  // --- database
  @IsOptional()
  @IsString()
  DATABASE_URL?: string;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_MAX = 10;

  /** Name the request path's statements (prepared once per connection); false behind a pooler that cannot keep them. */
  @Transform(toBool)
  @IsBoolean(FLAG)
  DATABASE_PREPARED_STATEMENTS = true;

  /**
   * How long a statement waits for a lock another session holds (PostgreSQL lock_timeout) before the request answers
   * 503 BUSY; 0 leaves the server's setting (its own or the database role's, normally none).
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(600_000)
  DATABASE_LOCK_TIMEOUT_MS = 5_000;

  /**
   * How long a connection may sit idle inside a transaction before PostgreSQL ends its session and so its locks
   * (idle_in_transaction_session_timeout): a stalled instance then stops holding rows others need; 0 leaves the
   * server's setting. Not applied to the embedded database (one session behind every connection).
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(600_000)
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS = 10_000;

  /**
   * How long one statement may run (PostgreSQL statement_timeout) before it is cancelled and its request answers 503
   * BUSY; 0 leaves the server's setting. PGlite (the embedded database) does not enforce it.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(600_000)
  DATABASE_STATEMENT_TIMEOUT_MS = 10_000;

  @IsString()
  EMBEDDED_DB_DIR = '.data/pglite';

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  EMBEDDED_DB_PORT = 5499;

  // --- auth
  @IsOptional()
  @IsUrl(URL_OPTS)
  AUTH_JWKS_URL?: string;

  /** Minimum time between JWKS fetches triggered by unknown key ids. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  AUTH_JWKS_COOLDOWN_MS = 30_000;

  @IsOptional()
  @IsString()
  AUTH_ISSUER?: string;

  /** The identity provider's token endpoint, as the OpenAPI document's OAuth2 scheme names it for clients. */
  @IsOptional()
  @IsUrl(URL_OPTS)
  AUTH_TOKEN_URL?: string;

  @IsOptional()
  @IsString()
  AUTH_AUDIENCE?: string;

  @Transform(toBool)
  @IsBoolean(FLAG)
  AUTH_DEV_ISSUER = false;

  @IsString()
  AUTH_DEV_CLIENT_ID = 'demo-client';

  @IsString()
  AUTH_DEV_CLIENT_SECRET = 'demo-secret';

  /** Space-separated; empty = every scope the service knows. */
  @IsOptional()
  @IsString()
  AUTH_DEV_CLIENT_SCOPES?: string;

  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(86400)
  AUTH_DEV_TOKEN_TTL_SECONDS = 3600;

  /** PKCS#8 PEM; unset = a key made at boot (WEB_CONCURRENCY > 1 makes one and gives it to every worker). */
  @IsOptional()
  @IsString()
  AUTH_DEV_SIGNING_KEY?: string;

  /** Worker processes of start:prod (node:cluster); read by src/main.ts before the app boots. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  WEB_CONCURRENCY = 1;

  // --- tools
  @IsOptional()
  @IsUrl(URL_OPTS)
  MASTERY_TRACK_BASE_URL?: string;

  @IsOptional()
  @IsString()
  MASTERY_TRACK_API_KEY?: string;

  @IsOptional()
  @IsString()
  MASTERY_TRACK_EMAIL?: string;

  /** Hosts test links may point at (comma-separated); default masterytrack.ai, alphatest.alpha.school and the API host. */
  @IsOptional()
  @IsString()
  MASTERY_TRACK_TEST_URL_HOSTS?: string;

  /** JSON: {"<applicationName>": {"apiKey": "…", "email": "…"}} */
  @IsOptional()
  @IsString()
  MASTERY_TRACK_ACCOUNTS?: string;

  /**
   * OAuth client ids (comma-separated) that speak for MasteryTrack: only their write-backs finalize attempts.
   * Default: none, or the dev issuer's client when it is on (the sandbox writes back with it).
   */
  @IsOptional()
  @IsString()
  MASTERY_TRACK_WRITEBACK_CLIENTS?: string;

  @IsOptional()
  @IsUrl(URL_OPTS)
  EDULASTIC_BASE_URL?: string;

  @IsOptional()
  @IsUrl(URL_OPTS)
  EDULASTIC_APP_URL?: string;

  @IsOptional()
  @IsString()
  EDULASTIC_USERNAME?: string;

  @IsOptional()
  @IsString()
  EDULASTIC_PASSWORD?: string;

  /** JSON: {"<applicationName>": {"username": "…", "password": "…"}} */
  @IsOptional()
  @IsString()
  EDULASTIC_ACCOUNTS?: string;

  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(120_000)
  VENDOR_TIMEOUT_MS = 10_000;

  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(300_000)
  VENDOR_DEADLINE_MS = 25_000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10)
  VENDOR_MAX_ATTEMPTS = 3;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  VENDOR_MAX_CONCURRENCY = 32;

  @Type(() => Number)
  @IsInt()
  @Min(5)
  @Max(3600)
  ASSIGNMENT_LEASE_SECONDS = 60;

  @Type(() => Number)
  @IsInt()
  @Min(24)
  @Max(24 * 30)
  IDEMPOTENCY_RETENTION_HOURS = 24;

  // --- credentials at rest
  /** `<keyId>:<base64 of 32 bytes>`; required in production. */
  @ValidateIf((e: Env) => e.NODE_ENV === 'production' || e.CREDENTIALS_KEY !== undefined)
  @IsString()
  CREDENTIALS_KEY?: string;

  /** Retired keys still accepted for reading: `<id>:<base64>,<id>:<base64>`. */
  @IsOptional()
  @IsString()
  CREDENTIALS_RETIRED_KEYS?: string;

  // --- sandboxes (npm start / demo)
  @Transform(toBool)
  @IsBoolean(FLAG)
  SANDBOX_TOOLS = false;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  SANDBOX_MASTERY_TRACK_PORT = 4010;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  SANDBOX_EDULASTIC_PORT = 4020;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(60_000)
  SANDBOX_LATENCY_MS = 0;

  /** Where the dev stack's sandboxes keep their state (one JSON file per tool), beside the embedded database. */
  @IsString()
  SANDBOX_STATE_DIR = '.data/sandboxes';

  @Transform(toBool)
  @IsBoolean(FLAG)
  SEED_DEMO_DATA = false;
}
