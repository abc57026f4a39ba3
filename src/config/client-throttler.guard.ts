import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Principal } from '@app/auth';

/** Rate limits per OAuth client once authenticated (so one busy client cannot starve the others), else per IP. */
@Injectable()
export class ClientThrottlerGuard extends ThrottlerGuard {
  protected async getTracker(req: Record<string, unknown> & { user?: Principal; ip?: string }): Promise<string> {
    return req.user?.clientId ? `client:${req.user.clientId}` : `ip:${req.ip ?? 'unknown'}`;
  }
}
