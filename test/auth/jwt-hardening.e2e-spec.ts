import { generateKeyPairSync, KeyObject, randomBytes } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import type { Response } from 'supertest';
import { Scope } from '@external-tests/auth';
import { createTestApp, TestApp } from '../helpers/test-app';
import { hs256Jwt, startTestJwks, TestJwks, TestSigningKey, unsignedJwt } from '../helpers/test-jwks';

/**
 * Bearer-token validation against an external identity provider's JWKS (AUTH_DEV_ISSUER=false), probed
 * with the classic JWT attacks (RFC 8725): alg none, HS/RS algorithm confusion, foreign keys under a
 * known kid, kid flooding, issuer/audience/time-claim tampering and malformed Authorization headers.
 *
 * The probe route is makeExternalTestAssignment for an unknown student: a token that passes
 * authentication and the scope check gets 404 (unknown student), one that does not gets 401/403.
 */
const ROUTE = '/powerpath/makeExternalTestAssignment';
const BODY = { student: 'nobody', lesson: 'nothing' };
const ISSUER = 'https://issuer.test';
const AUDIENCE = 'eta-tests';
const INVALID_TOKEN = 'Bearer error="invalid_token"';
const INSUFFICIENT_SCOPE = `Bearer error="insufficient_scope", scope="${Scope.PowerPathCreatePut}"`;
const IMSX_KEYS = ['imsx_codeMajor', 'imsx_severity', 'imsx_description', 'imsx_CodeMinor', 'imsx_error_details'];

const now = () => Math.floor(Date.now() / 1000);

/** Claims of a valid token for this app; `undefined` values remove a claim. */
function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = now();
  const all: Record<string, unknown> = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'jwt-hardening-client',
    client_id: 'jwt-hardening-client',
    scope: Scope.PowerPathCreatePut,
    iat,
    exp: iat + 300,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}

function signed(
  key: TestSigningKey,
  overrides: Record<string, unknown> = {},
  opts: { kid?: string; privateKey?: KeyObject } = {},
): string {
  return sign(claims(overrides), opts.privateKey ?? key.privateKey, { algorithm: key.alg, keyid: opts.kid ?? key.kid });
}

/** The imsx failure envelope, nothing else: no stack trace, no internals. */
function expectImsxFailure(res: Response, status: number, codeMinor: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.body).toMatchObject({
    imsx_codeMajor: 'failure',
    imsx_severity: 'error',
    imsx_description: expect.any(String),
    imsx_CodeMinor: {
      imsx_codeMinorField: [{ imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: codeMinor }],
    },
  });
  for (const key of Object.keys(res.body)) expect(IMSX_KEYS).toContain(key);
  expect(res.text).not.toMatch(/stack|\bat .+:\d+:\d+|\.(ts|js):\d+|node_modules/i);
}

/** Authentication and the scope check passed: the handler ran and did not find the student. */
function expectAccepted(res: Response): void {
  expectImsxFailure(res, 404, 'unknownobject');
  expect(res.headers['www-authenticate']).toBeUndefined();
}

function expectUnauthorized(res: Response, wwwAuthenticate = INVALID_TOKEN): void {
  expectImsxFailure(res, 401, 'unauthorisedrequest');
  expect(res.headers['www-authenticate']).toBe(wwwAuthenticate);
}

/** Short cooldown so the rotation case runs quickly. */
const COOLDOWN_MS = 500;

describe('JWT validation hardening (external JWKS)', () => {
  let jwks: TestJwks;
  let t: TestApp;

  const call = (authorization?: string) => {
    const req = t.http().post(ROUTE);
    if (authorization !== undefined) req.set('Authorization', authorization);
    return req.send(BODY);
  };
  const bearer = (jwt: string) => call(`Bearer ${jwt}`);

  beforeAll(async () => {
    jwks = await startTestJwks();
    t = await createTestApp({
      AUTH_DEV_ISSUER: 'false',
      AUTH_JWKS_URL: jwks.url,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_JWKS_COOLDOWN_MS: String(COOLDOWN_MS),
    });
  });
  afterAll(async () => {
    await t?.close();
    await jwks?.close();
  });

  describe('accepted signatures', () => {
    it('accepts RS256 signed by the JWKS RSA key', async () => {
      expectAccepted(await bearer(signed(jwks.rsa)));
    });

    it('accepts ES256 signed by the JWKS EC P-256 key', async () => {
      expectAccepted(await bearer(signed(jwks.ec)));
    });

    it('fetched the key set once per kid, then served both kids from the cache', async () => {
      const before = jwks.fetches();
      expect(before).toBeGreaterThanOrEqual(1);
      expectAccepted(await bearer(signed(jwks.rsa)));
      expectAccepted(await bearer(signed(jwks.ec)));
      expect(jwks.fetches()).toBe(before);
    });
  });

  describe('algorithm attacks', () => {
    it('rejects alg none (unsigned)', async () => {
      expectUnauthorized(await bearer(unsignedJwt(claims(), { kid: jwks.rsa.kid })));
    });

    it('rejects a token naming a critical header extension, which nothing here understands (RFC 7515 §4.1.11)', async () => {
      const critical = sign(claims(), jwks.rsa.privateKey, {
        algorithm: jwks.rsa.alg,
        keyid: jwks.rsa.kid,
        header: { alg: jwks.rsa.alg, crit: ['exp-foo'], 'exp-foo': 1 } as never,
      });
      expectUnauthorized(await bearer(critical));
    });

    it('rejects alg none even without a kid', async () => {
      expectUnauthorized(await bearer(unsignedJwt(claims())));
    });

    it('rejects HS256 signed with the RSA public key PEM as HMAC secret (algorithm confusion)', async () => {
      const pem = jwks.rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
      expectUnauthorized(await bearer(hs256Jwt(claims(), pem, { kid: jwks.rsa.kid })));
      // Same attack with the PKCS#1 encoding some libraries emit.
      const pkcs1 = jwks.rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string;
      expectUnauthorized(await bearer(hs256Jwt(claims(), pkcs1, { kid: jwks.rsa.kid })));
    });

    it('rejects HS256 with an arbitrary secret', async () => {
      expectUnauthorized(await bearer(hs256Jwt(claims(), 'any-shared-secret', { kid: jwks.rsa.kid })));
      expectUnauthorized(await bearer(hs256Jwt(claims(), randomBytes(32))));
    });

    it('rejects an RS256 token signed by another RSA key under the known kid', async () => {
      const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
      expectUnauthorized(await bearer(signed(jwks.rsa, {}, { privateKey: attacker.privateKey })));
    });

    it('rejects an ES256 token signed by another P-256 key under the known kid', async () => {
      const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      expectUnauthorized(await bearer(signed(jwks.ec, {}, { privateKey: attacker.privateKey })));
    });

    it('rejects an RS256 header over the EC kid (key type mismatch)', async () => {
      expectUnauthorized(await bearer(signed(jwks.rsa, {}, { kid: jwks.ec.kid })));
    });

    it('rejects a token with a tampered payload (scope escalated after signing)', async () => {
      const [h, , s] = signed(jwks.rsa, { scope: Scope.PowerPathReadonly }).split('.');
      const forged = Buffer.from(JSON.stringify(claims({ scope: Scope.Admin }))).toString('base64url');
      expectUnauthorized(await bearer(`${h}.${forged}.${s}`));
    });
  });

  describe('issuer and audience', () => {
    it('rejects a wrong iss', async () => {
      expectUnauthorized(await bearer(signed(jwks.rsa, { iss: 'https://evil.test' })));
    });

    it('rejects an iss that only differs by a trailing slash (exact match)', async () => {
      expectUnauthorized(await bearer(signed(jwks.rsa, { iss: `${ISSUER}/` })));
    });

    it('rejects a missing iss', async () => {
      expectUnauthorized(await bearer(signed(jwks.rsa, { iss: undefined })));
    });

    it('rejects a wrong aud', async () => {
      expectUnauthorized(await bearer(signed(jwks.rsa, { aud: 'another-api' })));
    });

    it('rejects a missing aud', async () => {
      expectUnauthorized(await bearer(signed(jwks.rsa, { aud: undefined })));
    });

    it('accepts an aud array that contains this API', async () => {
      expectAccepted(await bearer(signed(jwks.rsa, { aud: ['another-api', AUDIENCE] })));
    });
  });

  describe('time claims (60 s clock tolerance)', () => {
    it('rejects a token that expired 2 minutes ago', async () => {
      expectUnauthorized(await bearer(signed(jwks.rsa, { iat: now() - 600, exp: now() - 120 })));
    });

    it('accepts a token that expired 30 s ago (within the skew)', async () => {
      expectAccepted(await bearer(signed(jwks.rsa, { iat: now() - 600, exp: now() - 30 })));
    });

    it('rejects a token whose nbf is 2 minutes in the future', async () => {
      expectUnauthorized(await bearer(signed(jwks.rsa, { nbf: now() + 120 })));
    });

    it('accepts a token whose nbf is 30 s in the future (within the skew)', async () => {
      expectAccepted(await bearer(signed(jwks.rsa, { nbf: now() + 30 })));
    });

    it('rejects a token issued more than a day ago (maxAge) even if exp is far away', async () => {
      expectUnauthorized(await bearer(signed(jwks.rsa, { iat: now() - 2 * 86_400, exp: now() + 3_600 })));
    });
  });

  describe('scopes', () => {
    it('answers 403 insufficient_scope when the required scope is missing', async () => {
      const res = await bearer(signed(jwks.rsa, { scope: `${Scope.PowerPathReadonly} ${Scope.GradebookCreatePut}` }));
      expectImsxFailure(res, 403, 'forbidden');
      expect(res.headers['www-authenticate']).toBe(INSUFFICIENT_SCOPE);
    });

    it('answers 403 insufficient_scope when the token has no scope claim', async () => {
      const res = await bearer(signed(jwks.ec, { scope: undefined }));
      expectImsxFailure(res, 403, 'forbidden');
      expect(res.headers['www-authenticate']).toBe(INSUFFICIENT_SCOPE);
    });

    it('does not match scopes by prefix', async () => {
      const res = await bearer(signed(jwks.rsa, { scope: `${Scope.PowerPathCreatePut}x` }));
      expectImsxFailure(res, 403, 'forbidden');
      expect(res.headers['www-authenticate']).toBe(INSUFFICIENT_SCOPE);
    });

    it('lets the OneRoster admin scope through (admin implies every scope)', async () => {
      expectAccepted(await bearer(signed(jwks.rsa, { scope: Scope.Admin })));
    });

    it('accepts the scope claim as an array', async () => {
      expectAccepted(await bearer(signed(jwks.ec, { scope: [Scope.PowerPathReadonly, Scope.PowerPathCreatePut] })));
    });
  });

  describe('malformed Authorization headers', () => {
    it('answers a plain Bearer challenge when no token is sent', async () => {
      expectUnauthorized(await call(), 'Bearer');
    });

    it.each([
      // No bearer credentials at all: RFC 6750 §3.1 says no error code.
      ['Bearer (no credentials)', 'Bearer', 'Bearer'],
      ['Basic abc', 'Basic abc', 'Bearer'],
      ['Basic with the dev client credentials', 'Basic dGVzdC1jbGllbnQ6dGVzdC1zZWNyZXQ=', 'Bearer'],
      // A token was sent but it is not a valid JWT.
      ['Bearer a.b.c', 'Bearer a.b.c', INVALID_TOKEN],
      ['Bearer not-a-jwt', 'Bearer not-a-jwt', INVALID_TOKEN],
      ['Bearer ..', 'Bearer ..', INVALID_TOKEN],
      [
        'Bearer with 12 KB of base64url',
        `Bearer ${'A'.repeat(4096)}.${'B'.repeat(4096)}.${'C'.repeat(4096)}`,
        INVALID_TOKEN,
      ],
    ])('rejects Authorization: %s', async (_label, authorization, challenge) => {
      expectUnauthorized(await call(authorization), challenge);
    });
  });

  describe('unknown kid', () => {
    // Runs last on purpose: flooding exhausts jwks-rsa's 10/min refetch budget for this app instance.
    it('rejects a token with an unknown kid', async () => {
      expectUnauthorized(await bearer(signed(jwks.rsa, {}, { kid: `unknown-${randomBytes(6).toString('hex')}` })));
    });

    it('rejects a token without a kid (the key set has two keys)', async () => {
      const token = sign(claims(), jwks.rsa.privateKey, { algorithm: 'RS256' });
      expectUnauthorized(await bearer(token));
    });

    it('does not hammer the JWKS endpoint when flooded with random kids, and known kids keep working', async () => {
      const before = jwks.fetches();
      for (let i = 0; i < 20; i++) {
        expectUnauthorized(await bearer(signed(jwks.rsa, {}, { kid: `flood-${randomBytes(8).toString('hex')}` })));
      }
      // The whole key set is cached: a flood costs at most one fetch per cooldown window.
      expect(jwks.fetches() - before).toBeLessThanOrEqual(2);

      // Cached keys are not evicted by the flood and need no refetch.
      const afterFlood = jwks.fetches();
      expectAccepted(await bearer(signed(jwks.rsa)));
      expectAccepted(await bearer(signed(jwks.ec)));
      expect(jwks.fetches()).toBe(afterFlood);
    });

    // Found by this suite: per-kid rate limiting let a flood of unknown kids lock out a rotated key (fixed with JwksKeySet).
    it('accepts a newly rotated key after an unknown-kid flood, within one cooldown', async () => {
      const rotated = jwks.addRsaKey('rsa-2');
      const before = jwks.fetches();
      for (let i = 0; i < 10; i++)
        await bearer(signed(jwks.rsa, {}, { kid: `flood-${randomBytes(8).toString('hex')}` }));
      await new Promise((r) => setTimeout(r, COOLDOWN_MS + 50));
      expectAccepted(await bearer(signed(rotated)));
      expect(jwks.fetches() - before).toBeLessThanOrEqual(2);
    });
  });

  describe('development issuer is off', () => {
    it('does not serve POST /oauth2/token', async () => {
      const res = await t
        .http()
        .post('/oauth2/token')
        .auth('test-client', 'test-secret-value')
        .type('form')
        .send({ grant_type: 'client_credentials' });
      expectImsxFailure(res, 404, 'unknownobject');
      expect(res.body.access_token).toBeUndefined();
    });

    it('does not serve GET /.well-known/jwks.json', async () => {
      const res = await t.http().get('/.well-known/jwks.json');
      expectImsxFailure(res, 404, 'unknownobject');
      expect(res.body.keys).toBeUndefined();
    });
  });
});
