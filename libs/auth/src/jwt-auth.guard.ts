import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AppError } from '@app/common';
import { IS_PUBLIC } from './decorators';

/** Every route needs a valid bearer token unless marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    return isPublic ? true : super.canActivate(context);
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
