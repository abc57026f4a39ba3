import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Principal } from '@external-tests/auth';
import { AppError, ErrorCode } from '@external-tests/common';

/**
 * The OneRoster endpoints serve the whole tenant: a token restricted to one org (claim `org`) is refused here
 * rather than shown other orgs' objects. Org-scoped OneRoster reads are future work.
 */
@Injectable()
export class WholeTenantGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const principal = context.switchToHttp().getRequest<{ user?: Principal }>().user;
    if (principal?.org) {
      throw new AppError(ErrorCode.OrgRestricted, 'Tokens restricted to an org cannot use the OneRoster endpoints', {
        headers: { 'WWW-Authenticate': 'Bearer error="insufficient_scope"' },
      });
    }
    return true;
  }
}
