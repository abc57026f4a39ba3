import { sign } from 'jsonwebtoken';
import { Scope } from '@external-tests/auth';
import { createLesson, createStudent } from '../helpers/fixtures';
import { createTestApp, TestApp } from '../helpers/test-app';
import { startTestJwks, TestJwks } from '../helpers/test-jwks';

/**
 * Claims that shape authorization are read by type (issue 10, findings 2, 4 and 16): an `org` that is not a
 * non-empty string must not lift the org restriction, `exp` is required, an `iat` in the future is refused, and
 * the Authorization header carries exactly one bearer token. Tokens come from an identity provider that signs
 * whatever claims it is given.
 */
const ISSUER = 'https://issuer.test';
const AUDIENCE = 'eta-claims';
const ROUTE = '/powerpath/makeExternalTestAssignment';
const now = () => Math.floor(Date.now() / 1000);

describe('access token claims', () => {
  let jwks: TestJwks;
  let t: TestApp;
  let body: { student: string; lesson: string };

  const token = (overrides: Record<string, unknown> = {}) => {
    const all: Record<string, unknown> = {
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'claims-client',
      client_id: 'claims-client',
      scope: `${Scope.PowerPathCreatePut} ${Scope.RosterReadonly}`,
      iat: now(),
      exp: now() + 300,
      ...overrides,
    };
    const claims = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
    return sign(claims, jwks.rsa.privateKey, {
      algorithm: 'RS256',
      keyid: jwks.rsa.kid,
      noTimestamp: claims.iat === undefined,
    });
  };
  /** The student is in org-1; the lesson's course has no org. A token restricted to another org must get 404. */
  const assign = (authorization: string) => t.http().post(ROUTE).set('Authorization', authorization).send(body);
  const expect401 = (res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }) => {
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(res.body.imsx_codeMajor).toBe('failure');
  };

  beforeAll(async () => {
    jwks = await startTestJwks();
    t = await createTestApp({
      AUTH_DEV_ISSUER: 'false',
      AUTH_JWKS_URL: jwks.url,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
    });
    body = { student: (await createStudent(t.orm)).sourcedId, lesson: (await createLesson(t.orm)).sourcedId };
  });
  afterAll(async () => {
    await t?.close();
    await jwks?.close();
  });

  it('a well-formed token works; a well-formed org restriction hides other orgs (404)', async () => {
    await assign(`Bearer ${token({ client_id: 'claims-ok' })}`).expect(200);
    await assign(`Bearer ${token({ client_id: 'claims-org', org: 'org-other' })}`).expect(404);
  });

  it.each([
    ['an array', ['org-other']],
    ['an object', { x: 1 }],
    ['a number', 5],
    ['an empty string', ''],
    ['a boolean', true],
    ['null', null],
  ])('401 for an org claim that is %s (never "no restriction")', async (_label, org) => {
    expect401(await assign(`Bearer ${token({ org })}`));
    expect401(
      await t
        .http()
        .get('/ims/oneroster/rostering/v1p2/users')
        .set('Authorization', `Bearer ${token({ org })}`),
    );
  });

  it.each([
    ['client_id is a number', { client_id: 7 }],
    ['client_id is an array', { client_id: ['a'] }],
    ['neither client_id nor sub', { client_id: undefined, sub: undefined }],
    ['scope is a number', { scope: 5 }],
    ['scope is an array with a non-string', { scope: [Scope.PowerPathCreatePut, 1] }],
  ])('401 when %s', async (_label, overrides) => {
    expect401(await assign(`Bearer ${token(overrides)}`));
  });

  it('401 without exp, or with an iat beyond the 60 s clock skew; an iat 30 s ahead is accepted', async () => {
    expect401(await assign(`Bearer ${token({ exp: undefined })}`));
    expect401(
      await assign(`Bearer ${token({ iat: now() + 10 * 365 * 86_400, exp: now() + 10 * 365 * 86_400 + 300 })}`),
    );
    expect401(await assign(`Bearer ${token({ iat: now() + 120 })}`));
    expect401(await assign(`Bearer ${token({ iat: undefined })}`));
    await assign(`Bearer ${token({ iat: now() + 30 })}`).expect(200);
  });

  it('401 for Bearer followed by anything after the token; the scheme is case-insensitive', async () => {
    const good = token();
    for (const authorization of [
      `Bearer ${good} extra`,
      `Bearer ${good} ${good}`,
      `Bearer ${good},x`,
      `Bearer ${good}\tx`,
    ]) {
      expect401(await assign(authorization));
    }
    await assign(`bearer ${good}`).expect(200);
  });
});
