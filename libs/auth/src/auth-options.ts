export interface DevIssuerOptions {
  clientId: string;
  clientSecret: string;
  scopes: readonly string[];
  tokenTtlSeconds: number;
}

export interface AuthOptions {
  /** JWKS to validate tokens with; in dev-issuer mode defaults to this app's own `/.well-known/jwks.json`. */
  jwksUrl?: string;
  /** Minimum time between two JWKS fetches caused by unknown kids (default 30 s). */
  jwksCooldownMs?: number;
  issuer: string;
  audience: string;
  /** Serve `/oauth2/token` and `/.well-known/jwks.json` (never in production). */
  devIssuer?: DevIssuerOptions;
}

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

/** Issuer and audience the dev issuer uses when none are configured. */
export const DEV_ISSUER = 'urn:external-test-assignments:dev-issuer';
export const DEFAULT_AUDIENCE = 'external-test-assignments';
