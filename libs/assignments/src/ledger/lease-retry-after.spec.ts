import { leaseRetryAfter } from './lease-retry-after';

describe('leaseRetryAfter', () => {
  it('1 s while the lease is fresh (its request is at work), whatever is left of it', () => {
    expect(leaseRetryAfter(60, 60)).toBe(1);
    expect(leaseRetryAfter(58.5, 60)).toBe(1);
  });

  it('past that, when the lease ends, within 1 to 5 s (a request holding it this long is slow or gone)', () => {
    expect(leaseRetryAfter(57, 60)).toBe(5);
    expect(leaseRetryAfter(3.2, 60)).toBe(4);
    expect(leaseRetryAfter(0.2, 60)).toBe(1);
  });
});
