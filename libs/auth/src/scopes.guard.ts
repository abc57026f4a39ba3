import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AppError, ErrorCode, RouteMetadataReflector } from '@external-tests/common';
import { IS_PUBLIC, REQUIRED_SCOPES } from './decorators';
import type { AuthenticatedRequest } from './jwt-auth.guard';
import { hasAnyScope } from './scopes';

/**
 * Refuses a caller JwtAuthGuard could not authenticate (401), then checks @RequireScopes on the handler (403);
 * routes without it only need authentication.
 */
@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(private readonly reflector: RouteMetadataReflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (req.authFailure) throw req.authFailure;
    const principal = req.user;
    if (!principal)
      throw new AppError(ErrorCode.Unauthenticated, 'Missing bearer token', {
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    const required = this.reflector.getAllAndOverride<string[]>(REQUIRED_SCOPES, targets);
    if (!required || required.length === 0) return true;
    if (hasAnyScope(principal, required)) return true;
    throw new AppError(
      ErrorCode.InsufficientScope,
      `This operation requires one of the scopes: ${required.join(' ')}`,
      {
        headers: { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${required.join(' ')}"` },
      },
    );
  }
}
