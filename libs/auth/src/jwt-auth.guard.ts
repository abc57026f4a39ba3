import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { AppError, ErrorCode, RouteMetadataReflector } from '@external-tests/common';
import type { IncomingHttpHeaders } from 'node:http';
import { bearerToken, claimsBearer } from './bearer-token';
import { IS_PUBLIC } from './decorators';
import type { Principal } from './scopes';
import { VerifiedTokenCache } from './verified-token-cache';

/** What authentication leaves on the request (Express's or Fastify's): the principal, or why there is none. */
export interface AuthenticatedRequest {
  headers: IncomingHttpHeaders;
  user?: Principal;
  /** The 401 ScopesGuard answers; guards in between (the rate limiter) see an unauthenticated request. */
  authFailure?: AppError;
}

/**
 * Identifies the caller of every route not marked @Public(). A failed authentication is recorded, not thrown, so
 * the guards registered after this one (rate limiting) count the request as unauthenticated before ScopesGuard
 * refuses it with 401. Verified tokens are cached briefly (VerifiedTokenCache).
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly verified = new VerifiedTokenCache();

  constructor(private readonly reflector: RouteMetadataReflector) {
    super();
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(req.headers.authorization);
    const known = token ? this.verified.get(token) : undefined;
    if (known) {
      req.user = known;
      return true;
    }
    try {
      await super.canActivate(context);
    } catch (e) {
      req.user = undefined;
      req.authFailure = e instanceof AppError ? e : this.failure(req);
      return true;
    }
    if (token && req.user) this.verified.remember(token, req.user);
    return true;
  }

  handleRequest<T>(err: unknown, user: T, _info: unknown, context: ExecutionContext): T {
    if (err || !user) throw this.failure(context.switchToHttp().getRequest<AuthenticatedRequest>());
    return user;
  }

  private failure(req: AuthenticatedRequest): AppError {
    // RFC 6750 §3: no error code when the request carried no token at all.
    const sent = claimsBearer(req.headers.authorization);
    return new AppError(ErrorCode.Unauthenticated, sent ? 'Invalid or expired bearer token' : 'Missing bearer token', {
      headers: { 'WWW-Authenticate': sent ? 'Bearer error="invalid_token"' : 'Bearer' },
    });
  }
}
