import type { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** One bucket's hits (arrival times, oldest first) and its block, as the library's in-memory storage keeps them. */
interface Bucket {
  hits: number[];
  /** hits[0..head) have left the window; they are dropped in bulk, not one shift at a time. */
  head: number;
  /** The window of the latest hit, for the sweep. */
  ttl: number;
  expiresAt: number;
  blockExpiresAt: number;
  isBlocked: boolean;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * The throttler's sliding log, answering as `@nestjs/throttler`'s own in-memory storage does, at amortised O(1) per
 * request. The library's storage filters (copies) every hit of the bucket's window on each request: with a limit of
 * L per minute that is O(L) time and garbage per request, so a high limit (the benchmark's, or an operator's who runs
 * at scale) made rate limiting cost more than the rest of a repeat call. Hits arrive in time order, so the expired ones
 * are always a prefix: they are skipped with an index and compacted when they are most of the array.
 */
export class HitLogThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly buckets = new Map<string, Bucket>();
  private sweep?: NodeJS.Timeout;

  increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string) {
    return Promise.resolve(this.hit(`${throttlerName}\n${key}`, ttl, limit, blockDuration));
  }

  /** Buckets held (idle ones are swept once a minute). */
  get size(): number {
    return this.buckets.size;
  }

  /** Hits a bucket holds, the expired ones not yet compacted away included. */
  heldHits(throttlerName: string, key: string): number {
    return this.buckets.get(`${throttlerName}\n${key}`)?.hits.length ?? 0;
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
      bucket = { hits: [], head: 0, ttl, expiresAt: now + ttl, blockExpiresAt: 0, isBlocked: false };
      this.buckets.set(id, bucket);
      this.sweep ??= setInterval(() => this.evictIdle(Date.now()), SWEEP_INTERVAL_MS).unref();
    }
    bucket.ttl = ttl;
    const live = prune(bucket, now - ttl);
    if (bucket.expiresAt <= now) bucket.expiresAt = now + ttl;
    const timeToExpire = seconds(bucket.expiresAt - now);

    if (blockDuration <= 0) {
      const isBlocked = live >= limit;
      if (!isBlocked) bucket.hits.push(now);
      const oldest = bucket.hits[bucket.head];
      return {
        totalHits: bucket.hits.length - bucket.head + (isBlocked ? 1 : 0),
        timeToExpire,
        isBlocked,
        timeToBlockExpire: isBlocked ? (oldest === undefined ? timeToExpire : seconds(oldest + ttl - now)) : 0,
      };
    }

    if (!bucket.isBlocked) bucket.hits.push(now);
    if (!bucket.isBlocked && bucket.hits.length - bucket.head > limit) {
      bucket.isBlocked = true;
      bucket.blockExpiresAt = now + blockDuration;
    }
    const timeToBlockExpire = seconds(bucket.blockExpiresAt - now);
    if (bucket.isBlocked && timeToBlockExpire <= 0) {
      // The block is over: the bucket starts afresh with this request.
      bucket.isBlocked = false;
      bucket.hits = [now];
      bucket.head = 0;
    }
    return {
      totalHits: bucket.hits.length - bucket.head,
      timeToExpire,
      isBlocked: bucket.isBlocked,
      timeToBlockExpire,
    };
  }

  private evictIdle(now: number): void {
    for (const [id, bucket] of this.buckets) {
      const lastHit = bucket.hits[bucket.hits.length - 1] ?? -Infinity;
      const blocked = bucket.isBlocked && bucket.blockExpiresAt > now;
      if (!blocked && bucket.expiresAt <= now && lastHit + bucket.ttl <= now) this.buckets.delete(id);
    }
  }
}

/** Drop the hits that arrived at or before `cutoff`; the number still in the window. */
function prune(bucket: Bucket, cutoff: number): number {
  const { hits } = bucket;
  while (bucket.head < hits.length && hits[bucket.head] <= cutoff) bucket.head++;
  if (bucket.head > 64 && bucket.head * 2 > hits.length) {
    hits.splice(0, bucket.head);
    bucket.head = 0;
  }
  return hits.length - bucket.head;
}

/** Whole seconds, rounded up, as the library reports them. */
const seconds = (ms: number) => Math.ceil(ms / 1000);
