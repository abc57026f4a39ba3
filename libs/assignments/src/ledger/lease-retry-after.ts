/**
 * Retry-After for a request that meets another request's lease: when that lease ends, but at least 1 s and at most 5 s
 * (a lease is sized for a whole flow; the request holding it usually answers much sooner).
 */
export function leaseRetryAfter(leaseSeconds: number): number {
  return Math.min(Math.max(1, Math.ceil(leaseSeconds)), 5);
}
