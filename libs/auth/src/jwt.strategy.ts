import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { decode } from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import { Strategy } from 'passport-jwt';
import type { IncomingHttpHeaders } from 'node:http';
import { CLOCK_TOLERANCE_SECONDS, principalFromClaims } from './access-token-claims';
import { AUTH_OPTIONS, AuthOptions } from './auth-options';
import { bearerToken } from './bearer-token';
import { JwksKeySet } from './jwks-key-set';
import { Principal } from './scopes';
import { SelfUrl } from './self-url';

/**
 * Bearer JWTs validated against a JWKS (RFC 8725): RS256/ES256 only, exact issuer and audience, exp/nbf/iat
 * with 60 s clock tolerance, a `kid` required, no `crit` header, claims checked by type (principalFromClaims). The key set is cached whole (JwksKeySet), so unknown kids cannot
 * starve the lookup of real ones.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(AUTH_OPTIONS) options: AuthOptions, selfUrl: SelfUrl) {
    let keySet: JwksKeySet | undefined;
    super({
      jwtFromRequest: (req: { headers: IncomingHttpHeaders }) => bearerToken(req.headers.authorization) ?? null,
      algorithms: ['RS256', 'ES256'],
      issuer: options.issuer,
      audience: options.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: CLOCK_TOLERANCE_SECONDS, maxAge: '1d' },
      // Built on first use: in dev-issuer mode the JWKS lives on this app's own (possibly ephemeral) port.
      secretOrKeyProvider: (_req: unknown, rawJwt: string, done: (err: Error | null, key?: string) => void) => {
        keySet ??= new JwksKeySet(
          new JwksClient({
            jwksUri: options.jwksUrl ?? `${selfUrl.get()}/.well-known/jwks.json`,
            cache: false,
            rateLimit: false,
            timeout: 5_000,
          }),
          options.jwksCooldownMs,
        );
        const header = decode(rawJwt, { complete: true })?.header as { kid?: string; crit?: unknown } | undefined;
        // RFC 7515 §4.1.11: a critical extension the verifier does not understand makes the token invalid, and
        // jsonwebtoken understands none.
        if (header?.crit !== undefined) return done(new Error('token with critical header extensions'));
        const kid = header?.kid;
        if (!kid) return done(new Error('token without kid'));
        keySet.key(kid).then(
          (key) => (key ? done(null, key) : done(new Error('unknown kid'))),
          (e: Error) => done(e),
        );
      },
    });
  }

  validate(claims: Record<string, unknown>): Principal {
    return principalFromClaims(claims);
  }
}
