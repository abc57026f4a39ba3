import { VendorHttpClient } from '@external-tests/common';
import { vendorHttp } from '../vendor-http';

/**
 * Small budgets so retry/timeout paths run fast, yet roomy enough (1 s per attempt) that a loaded CI machine
 * running the e2e suites in parallel does not time out ordinary replies.
 */
export const FAST_HTTP = { attemptTimeoutMs: 1_000, totalDeadlineMs: 4_000, maxAttempts: 3, maxConcurrency: 4 };

/** A fresh client per test: the circuit breaker counts failures across calls of one client. */
export function fastVendorHttp(tool: string, baseUrl: string): VendorHttpClient {
  return vendorHttp(tool, baseUrl, FAST_HTTP);
}

/** The rejection of a promise that must reject with an `E` (fails the test if it resolves or rejects otherwise). */
export async function rejectionOf<E extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => E,
): Promise<E> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => {
      if (e instanceof type) return e;
      throw new Error(`expected a ${type.name}, got ${String(e)}`);
    },
  );
}
