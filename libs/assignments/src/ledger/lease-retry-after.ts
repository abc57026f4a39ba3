/**
 * A lease taken less than this many seconds ago belongs to a request still at work, which most likely answers within
 * a second (a new assignment takes tens of milliseconds to a few seconds, the tool's answer included).
 */
const FRESH_LEASE_SECONDS = 2;

/**
 * Retry-After for a request that meets another request's lease (`leftSeconds` of `leaseSeconds` left): 1 s while the
 * lease is fresh; later, when it ends, but at least 1 s and at most 5 s (a lease is sized for a whole flow, and one
 * held that long is a slow or dead request's).
 */
export function leaseRetryAfter(leftSeconds: number, leaseSeconds: number): number {
  if (leaseSeconds - leftSeconds < FRESH_LEASE_SECONDS) return 1;
  return Math.min(Math.max(1, Math.ceil(leftSeconds)), 5);
}
