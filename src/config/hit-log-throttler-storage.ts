import type { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { AsyncResource } from 'node:async_hooks';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** One bucket's hits (each one's expiry, in arrival order) and its block, as the library's storage keeps them. */
interface Bucket {
  expiries: number[];
  /** expiries[0..head) have passed; they are dropped in bulk, not one shift at a time. */
  head: number;
  expiresAt: number;
  blockExpiresAt: number;
  isBlocked: boolean;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * The throttler's sliding log, answering as `@nestjs/throttler`'s own in-memory storage does, at amortised O(1) time
 * per request. The library's storage filters (copies) every hit of the bucket's window on each request: with a limit
 * of L per minute that is O(L) time and garbage per request, so a high limit (the benchmark's, or an operator's who
 * runs at scale) made rate limiting cost more than the rest of a repeat call. Memory stays what the library's is: the
 * window's hits, per client.
 *
 * Expiries are dropped from the front of the log, so answers are the library's exactly while they arrive in order:
 * one ttl per bucket (ours: one throttler per bucket, `rateLimits` puts its name in the key, and no route overrides
 * a ttl) and a clock that does not step back. Otherwise a hit behind a later-expiring one is counted until that one
 * expires — the error is on the side of counting a hit too long, never of letting a request through early. Buckets
 * are per throttler name and key; the library shares a key's block between names, which our keys never do.
 */
export class HitLogThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly buckets = new Map<string, Bucket>();
  private sweep?: NodeJS.Timeout;
  // Bound here, not in the request that first needs it: the timer must not keep that request's async context alive.
  private readonly startSweep = AsyncResource.bind(() => {
    this.sweep = setInterval(() => this.evictIdle(Date.now()), SWEEP_INTERVAL_MS).unref();
  });

  increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string) {
    return Promise.resolve(this.hit(`${throttlerName}\n${key}`, ttl, limit, blockDuration));
  }

  /** Buckets held (idle ones are swept once a minute). */
  get size(): number {
    return this.buckets.size;
  }

  /** Hits a bucket holds, the expired ones not yet compacted away included. */
  heldHits(throttlerName: string, key: string): number {
    return this.buckets.get(`${throttlerName}\n${key}`)?.expiries.length ?? 0;
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweep);
    this.sweep = undefined;
    this.buckets.clear();
  }

  private hit(id: string, ttl: number, limit: number, blockDuration: number): ThrottlerStorageRecord {
    const now = Date.now();
    let bucket = this.buckets.get(id);
    if (!bucket) {
      bucket = { expiries: [], head: 0, expiresAt: now + ttl, blockExpiresAt: 0, isBlocked: false };
      this.buckets.set(id, bucket);
      if (!this.sweep) this.startSweep();
    }
    const live = prune(bucket, now);
    if (bucket.expiresAt <= now) bucket.expiresAt = now + ttl;
    const timeToExpire = seconds(bucket.expiresAt - now);

    if (blockDuration <= 0) {
      const isBlocked = live >= limit;
      if (!isBlocked) bucket.expiries.push(now + ttl);
      const oldest = bucket.expiries[bucket.head];
      return {
        totalHits: bucket.expiries.length - bucket.head + (isBlocked ? 1 : 0),
        timeToExpire,
        isBlocked,
        timeToBlockExpire: isBlocked ? (oldest === undefined ? timeToExpire : seconds(oldest - now)) : 0,
      };
    }

    if (!bucket.isBlocked) bucket.expiries.push(now + ttl);
    if (!bucket.isBlocked && bucket.expiries.length - bucket.head > limit) {
      bucket.isBlocked = true;
      bucket.blockExpiresAt = now + blockDuration;
    }
    const timeToBlockExpire = seconds(bucket.blockExpiresAt - now);
    if (bucket.isBlocked && timeToBlockExpire <= 0) {
      // The block is over: the bucket starts afresh with this request.
      bucket.isBlocked = false;
      bucket.expiries = [now + ttl];
      bucket.head = 0;
    }
    return {
      totalHits: bucket.expiries.length - bucket.head,
      timeToExpire,
      isBlocked: bucket.isBlocked,
      timeToBlockExpire,
    };
  }

  private evictIdle(now: number): void {
    for (const [id, bucket] of this.buckets) {
      const lastExpiry = bucket.expiries[bucket.expiries.length - 1] ?? -Infinity;
      const blocked = bucket.isBlocked && bucket.blockExpiresAt > now;
      if (!blocked && bucket.expiresAt <= now && lastExpiry <= now) this.buckets.delete(id);
    }
  }
}

/** Drop the hits whose expiry has come; the number still in the window. */
function prune(bucket: Bucket, now: number): number {
  const { expiries } = bucket;
  while (bucket.head < expiries.length && expiries[bucket.head] <= now) bucket.head++;
  if (bucket.head > 64 && bucket.head * 2 > expiries.length) {
    expiries.splice(0, bucket.head);
    bucket.head = 0;
  }
  return expiries.length - bucket.head;
}

/** Whole seconds, rounded up, as the library reports them. */
const seconds = (ms: number) => Math.ceil(ms / 1000);
