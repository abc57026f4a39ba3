import { ThrottlerStorageService } from '@nestjs/throttler';
import fc from 'fast-check';
import { HitLogThrottlerStorage } from './hit-log-throttler-storage';

/**
 * The storage must answer exactly as @nestjs/throttler's own in-memory storage (the guard turns its answers into 429s,
 * Retry-After and the X-RateLimit headers): both are driven through the same random requests and clock, under the
 * conditions the app guarantees (one ttl per bucket, one throttler name per key, a clock that moves forward).
 */
describe('HitLogThrottlerStorage', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-11-30T00:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  // Per bucket, fixed as a deployment fixes them: window, limit, block (0 = the non-blocking variant).
  const buckets = [
    { key: 'client:a', name: 'default', ttl: 60_000, limit: 3, block: 60_000 },
    { key: 'client:b', name: 'default', ttl: 1_000, limit: 1, block: 0 },
    { key: 'ip:1', name: 'anonymous', ttl: 5_000, limit: 2, block: 20_000 },
    { key: 'ip:2', name: 'anonymous', ttl: 60_000, limit: 5, block: 1_000 },
    // High limits: bursts fill the log past the point where expired hits are compacted away.
    { key: 'client:c', name: 'default', ttl: 2_000, limit: 150, block: 0 },
    { key: 'client:d', name: 'default', ttl: 3_000, limit: 120, block: 5_000 },
  ];
  const bucket = fc.integer({ min: 0, max: buckets.length - 1 });
  const step = fc.oneof(
    fc.record({ wait: fc.integer({ min: 0, max: 70_000 }) }),
    fc.record({ bucket, times: fc.constant(1) }),
    fc.record({ bucket, times: fc.integer({ min: 2, max: 200 }), spacing: fc.integer({ min: 0, max: 40 }) }),
  );

  it('answers every request as the library’s storage does (hits, expiry, block, time to unblock)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 120 }), async (steps) => {
        const ours = new HitLogThrottlerStorage();
        const library = new ThrottlerStorageService();
        try {
          for (const s of steps) {
            if ('wait' in s) {
              jest.advanceTimersByTime(s.wait); // also runs both sweeps
              continue;
            }
            const b = buckets[s.bucket];
            for (let i = 0; i < s.times; i++) {
              const expected = await library.increment(b.key, b.ttl, b.limit, b.block, b.name);
              const actual = await ours.increment(b.key, b.ttl, b.limit, b.block, b.name);
              expect(actual).toEqual(expected);
              if ('spacing' in s) jest.advanceTimersByTime(s.spacing);
            }
          }
        } finally {
          ours.onApplicationShutdown();
          library.onApplicationShutdown();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps only the window’s hits: a client at a high limit does not grow the log without bound', async () => {
    const storage = new HitLogThrottlerStorage();
    for (let i = 0; i < 20_000; i++) {
      await storage.increment('client:busy', 1_000, 1_000_000, 1_000, 'default');
      jest.advanceTimersByTime(1); // 1,000 hits live in each 1 s window
    }
    const record = await storage.increment('client:busy', 1_000, 1_000_000, 1_000, 'default');
    expect(record.totalHits).toBe(1_000);
    expect(storage.heldHits('default', 'client:busy')).toBeLessThanOrEqual(2_000);
    storage.onApplicationShutdown();
  });

  it('forgets idle buckets once their window and block have passed', async () => {
    const storage = new HitLogThrottlerStorage();
    await storage.increment('client:a', 1_000, 1, 5_000, 'default');
    await storage.increment('client:a', 1_000, 1, 5_000, 'default'); // blocked for 5 s
    await storage.increment('client:b', 1_000, 10, 1_000, 'default');
    jest.advanceTimersByTime(60_000);
    expect(storage.size).toBe(0);
    storage.onApplicationShutdown();
  });
});
