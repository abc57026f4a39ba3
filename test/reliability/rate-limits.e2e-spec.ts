import { ThrottlerStorage } from '@nestjs/throttler';
import { sign } from 'jsonwebtoken';
import { Scope } from '@external-tests/auth';
import { HitLogThrottlerStorage } from '../../src/config/hit-log-throttler-storage';
import { createTestApp, TestApp } from '../helpers/test-app';
import { startTestJwks, TestJwks } from '../helpers/test-jwks';

/**
 * Rate limits count per OAuth client after authentication; unauthenticated traffic (no token, a bad token, public
 * routes) counts per client address in buckets of its own, and X-Forwarded-For names that address only when it
 * comes from a proxy listed in TRUSTED_PROXIES (issue 10, finding 3).
 */
const ISSUER = 'https://issuer.test';
const AUDIENCE = 'eta-rate-limits';
const LIMIT = 10;
const ROUTE = '/powerpath/getAttempts';

describe('rate limits', () => {
  let jwks: TestJwks;
  beforeAll(async () => (jwks = await startTestJwks()));
  afterAll(() => jwks.close());

  const tokenOf = (client: string) => {
    const iat = Math.floor(Date.now() / 1000);
    return sign(
      { iss: ISSUER, aud: AUDIENCE, client_id: client, scope: Scope.PowerPathReadonly, iat, exp: iat + 300 },
      jwks.rsa.privateKey,
      {
        algorithm: 'RS256',
        keyid: jwks.rsa.kid,
      },
    );
  };
  const app = (env: Record<string, string> = {}) =>
    createTestApp({
      AUTH_DEV_ISSUER: 'false',
      AUTH_JWKS_URL: jwks.url,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      RATE_LIMIT_PER_MINUTE: String(LIMIT),
      RATE_LIMIT_ANONYMOUS_PER_MINUTE: String(LIMIT),
      ...env,
    });
  const call = (t: TestApp, headers: Record<string, string>) =>
    t.http().get(ROUTE).query({ student: 's', lesson: 'l' }).set(headers);
  const statuses = async (t: TestApp, n: number, headers: (i: number) => Record<string, string>) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await call(t, headers(i))).status);
    return out;
  };

  describe('default: no trusted proxy', () => {
    let t: TestApp;
    beforeAll(async () => (t = await app()));
    afterAll(() => t.close());

    it('counts each OAuth client on its own, not per address: a busy client leaves the next one its whole limit', async () => {
      const busy = `Bearer ${tokenOf('client-busy')}`;
      const first = await statuses(t, LIMIT + 2, () => ({ Authorization: busy }));
      expect(first.slice(0, LIMIT).every((s) => s === 404)).toBe(true);
      const limited = await call(t, { Authorization: busy });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.body.imsx_CodeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldValue).toBe('server_busy');
      const other = await statuses(t, LIMIT, () => ({ Authorization: `Bearer ${tokenOf('client-quiet')}` }));
      expect(other.every((s) => s === 404)).toBe(true);
      // Counted by the app's own storage (O(1) per request), one bucket per throttler and client: the limit's hits
      // and the one that started the block (blocked requests are not logged, as in the library's storage).
      const storage = t.app.get<HitLogThrottlerStorage>(ThrottlerStorage);
      expect(storage).toBeInstanceOf(HitLogThrottlerStorage);
      expect(storage.heldHits('default', 'default:client:client-busy')).toBe(LIMIT + 1);
    });

    it('ignores X-Forwarded-For: made-up addresses share the socket address bucket of unauthenticated traffic', async () => {
      const bad = await statuses(t, LIMIT + 5, (i) => ({
        Authorization: 'Bearer not-a-token',
        'X-Forwarded-For': `203.0.113.${i + 1}`,
      }));
      expect(bad.slice(0, LIMIT).every((s) => s === 401)).toBe(true);
      expect(bad.slice(LIMIT).every((s) => s === 429)).toBe(true);
      expect((await call(t, {})).status).toBe(429); // no token at all: the same bucket
      for (let i = 0; i < 3; i++) await t.http().get('/health/live').expect(200); // never limited
    });

    it('unauthenticated traffic cannot starve a client: after the flood above, a client first request is served', async () => {
      expect((await call(t, { Authorization: `Bearer ${tokenOf('client-after-flood')}` })).status).toBe(404);
    });
  });

  describe('TRUSTED_PROXIES=loopback', () => {
    let t: TestApp;
    beforeAll(async () => (t = await app({ TRUSTED_PROXIES: 'loopback' })));
    afterAll(() => t.close());

    it('believes X-Forwarded-For from the named proxy: each forwarded address has its own bucket', async () => {
      const spread = await statuses(t, LIMIT + 5, (i) => ({
        Authorization: 'Bearer not-a-token',
        'X-Forwarded-For': `198.51.100.${i + 1}`,
      }));
      expect(spread.every((s) => s === 401)).toBe(true);
      const one = await statuses(t, LIMIT + 2, () => ({
        Authorization: 'Bearer not-a-token',
        'X-Forwarded-For': '192.0.2.7',
      }));
      expect(one.slice(LIMIT).every((s) => s === 429)).toBe(true);
    });
  });

  it('refuses to boot on a TRUSTED_PROXIES entry that is not an address, CIDR or named range', async () => {
    const booted = await app({ TRUSTED_PROXIES: 'loopback, 10.0.0.0/33, proxy.example' }).then(
      async (t) => (await t.close(), 'booted'),
      (e: Error) => e.message,
    );
    expect(booted).toMatch(/TRUSTED_PROXIES: .*10\.0\.0\.0\/33, proxy\.example/);
  });
});
