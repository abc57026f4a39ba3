import { VendorCallObserver, VendorHttpClient } from '@external-tests/common';
import { VendorHttpSettings } from './provider-options';

const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;

/** The resilience settings every tool client shares; one client (breaker, bulkhead) per tool. */
export function vendorHttp(
  tool: string,
  baseUrl: string,
  s: VendorHttpSettings,
  observer?: VendorCallObserver,
): VendorHttpClient {
  return new VendorHttpClient({
    tool,
    baseUrl,
    attemptTimeoutMs: s.attemptTimeoutMs,
    totalDeadlineMs: s.totalDeadlineMs,
    maxAttempts: s.maxAttempts,
    maxResponseBytes: MAX_RESPONSE_BYTES,
    breaker: { consecutiveFailures: 5, halfOpenAfterMs: 10_000 },
    bulkhead: { limit: s.maxConcurrency, queue: s.maxConcurrency * 4 },
    observer,
  });
}
