import { ExecutionContext, Injectable } from '@nestjs/common';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  normalizeIp,
  SkipThrottle,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModuleOptions,
  ThrottlerStorage,
} from '@nestjs/throttler';
import type { Principal } from '@external-tests/auth';
import { AppError, ErrorCode, RouteMetadataReflector } from '@external-tests/common';
import { Env } from './env.schema';
import { HitLogThrottlerStorage } from './hit-log-throttler-storage';

type TrackedRequest = { user?: Principal; ip?: string };
const principalOf = (context: ExecutionContext) => context.switchToHttp().getRequest<TrackedRequest>().user;

/**
 * Two kinds of bucket, each counted across all routes. The guard runs after authentication (AuthOptions
 * `afterAuthentication`), so an authenticated request counts against its OAuth client only, wherever it comes
 * from; public routes and failed authentications count per client address, in buckets no client shares.
 * The address is the socket's unless it comes from a proxy named in TRUSTED_PROXIES.
 */
export function rateLimits(env: Env): ThrottlerModuleOptions {
  return {
    storage: new HitLogThrottlerStorage(),
    // One bucket per throttler and client, across routes: a route that overrode a ttl would share its bucket with
    // other windows (HitLogThrottlerStorage counts exactly with one ttl per bucket).
    generateKey: (_context, tracker, throttler) => `${throttler}:${tracker}`,
    throttlers: [
      {
        name: 'default',
        ttl: 60_000,
        limit: env.RATE_LIMIT_PER_MINUTE,
        skipIf: (context) => !principalOf(context),
        getTracker: (req: TrackedRequest) => `client:${req.user!.clientId}`,
      },
      {
        name: 'anonymous',
        ttl: 60_000,
        limit: env.RATE_LIMIT_ANONYMOUS_PER_MINUTE ?? Math.max(1, Math.floor(env.RATE_LIMIT_PER_MINUTE / 2)),
        skipIf: (context) => Boolean(principalOf(context)),
        getTracker: (req: TrackedRequest) => `ip:${normalizeIp(req.ip ?? 'unknown')}`,
        setHeaders: false,
      },
    ],
  };
}

/** Not rate limited at all (health checks, metrics scrapes): `@SkipThrottle()` alone skips only the default bucket. */
export const NoRateLimit = () => SkipThrottle({ default: true, anonymous: true });

/**
 * The throttler's 429 as the service's own error, with Retry-After for whichever bucket ran out. It reads a route's
 * overrides (six keys per throttler and request) through RouteMetadataReflector, once per route.
 */
@Injectable()
export class ClientThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: RouteMetadataReflector,
  ) {
    super(options, storage, reflector);
  }

  protected throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    return Promise.reject(
      new AppError(ErrorCode.RateLimited, 'Too many requests', { retryAfterSeconds: detail.timeToBlockExpire }),
    );
  }
}
