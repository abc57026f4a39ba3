import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AppError } from '@app/common';
import type { Request } from 'express';
import { IS_PUBLIC } from './decorators';
import type { Principal } from './scopes';
import { VerifiedTokenCache } from './verified-token-cache';

/** Every route needs a valid bearer token unless marked @Public(); verified tokens are cached briefly (VerifiedTokenCache). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly verified = new VerifiedTokenCache();

  constructor(private readonly reflector: Reflector) {
    super();
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const req = context.switchToHttp().getRequest<Request & { user?: Principal }>();
    const token = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(req.headers.authorization ?? '')?.[1];
    const known = token ? this.verified.get(token) : undefined;
    if (known) {
      req.user = known;
      return true;
    }
    const ok = (await super.canActivate(context)) as boolean;
    if (ok && token && req.user) this.verified.remember(token, req.user);
    return ok;
  }

  handleRequest<T>(err: unknown, user: T, info: unknown): T {
    if (err || !user) {
      const missing = info instanceof Error && /No auth token/i.test(info.message);
      // RFC 6750 §3: no error code when the request carried no token at all.
      throw new AppError('unauthenticated', missing ? 'Missing bearer token' : 'Invalid or expired bearer token', {
        headers: { 'WWW-Authenticate': missing ? 'Bearer' : 'Bearer error="invalid_token"' },
      });
    }
    return user;
  }
}
