export interface DevIssuerOptions {
  clientId: string;
  clientSecret: string;
  scopes: readonly string[];
  tokenTtlSeconds: number;
  /** PKCS#8 PEM of the RS256 signing key; made at boot when absent (several processes that share it accept each other's tokens). */
  signingKeyPem?: string;
}

import type { CanActivate, Type } from '@nestjs/common';

export interface AuthOptions {
  /** JWKS to validate tokens with; in dev-issuer mode defaults to this app's own `/.well-known/jwks.json`. */
  jwksUrl?: string;
  /** Minimum time between two JWKS fetches caused by unknown kids (default 30 s). */
  jwksCooldownMs?: number;
  issuer: string;
  audience: string;
  /** Serve `/oauth2/token` and `/.well-known/jwks.json` (never in production). */
  devIssuer?: DevIssuerOptions;
  /**
   * A global guard run between authentication and the 401/scope checks (e.g. a rate limiter keyed by the
   * authenticated client): it sees `req.user` for authenticated callers and none for public routes and failed
   * authentications.
   */
  afterAuthentication?: Type<CanActivate>;
}

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

/** Issuer and audience the dev issuer uses when none are configured. */
export const DEV_ISSUER = 'urn:external-test-assignments:dev-issuer';
export const DEFAULT_AUDIENCE = 'external-test-assignments';

/** Where the development issuer serves its token endpoint (OAuth 2.0 client credentials; form or JSON bodies). */
export const DEV_TOKEN_PATH = '/oauth2/token';
