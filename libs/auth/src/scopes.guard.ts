import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from '@app/common';
import { IS_PUBLIC, REQUIRED_SCOPES } from './decorators';
import { hasAnyScope, Principal } from './scopes';

/** Checks @RequireScopes on the handler; routes without it only need authentication. */
@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const required = this.reflector.getAllAndOverride<string[]>(REQUIRED_SCOPES, targets);
    if (!required || required.length === 0) return true;
    const principal = context.switchToHttp().getRequest<{ user?: Principal }>().user;
    if (principal && hasAnyScope(principal, required)) return true;
    throw new AppError('forbidden', `This operation requires one of the scopes: ${required.join(' ')}`, {
      headers: { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${required.join(' ')}"` },
    });
  }
}
