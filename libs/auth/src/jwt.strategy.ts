import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { passportJwtSecret } from 'jwks-rsa';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AUTH_OPTIONS, AuthOptions } from './auth-options';
import { Principal } from './scopes';
import { SelfUrl } from './self-url';

interface AccessTokenClaims {
  sub?: string;
  client_id?: string;
  scope?: string | string[];
  org?: string;
}

/**
 * Bearer JWTs validated against a JWKS (RFC 8725): RS256/ES256 only, exact issuer and audience, exp/nbf
 * with 60 s clock tolerance. Keys are cached and refetches rate-limited; an unknown `kid` triggers one
 * refetch at most per rate-limit window.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(AUTH_OPTIONS) options: AuthOptions, selfUrl: SelfUrl) {
    let keyProvider: ReturnType<typeof passportJwtSecret> | undefined;
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      algorithms: ['RS256', 'ES256'],
      issuer: options.issuer,
      audience: options.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: 60, maxAge: '1d' },
      // Built on first use: in dev-issuer mode the JWKS lives on this app's own (possibly ephemeral) port.
      secretOrKeyProvider: (req, rawJwt, done) => {
        keyProvider ??= passportJwtSecret({
          jwksUri: options.jwksUrl ?? `${selfUrl.get()}/.well-known/jwks.json`,
          cache: true,
          cacheMaxAge: 10 * 60_000,
          rateLimit: true,
          jwksRequestsPerMinute: 10,
          timeout: 5_000,
        });
        keyProvider(req, rawJwt, done);
      },
    });
  }

  validate(claims: AccessTokenClaims): Principal {
    const scopes = Array.isArray(claims.scope) ? claims.scope : (claims.scope ?? '').split(' ').filter(Boolean);
    return {
      clientId: claims.client_id ?? claims.sub ?? 'unknown',
      scopes: new Set(scopes),
      ...(typeof claims.org === 'string' && claims.org ? { org: claims.org } : {}),
    };
  }
}
