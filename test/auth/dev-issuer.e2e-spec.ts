import { decode } from 'jsonwebtoken';
import { Scope } from '@external-tests/auth';
import { createTestApp, DEV_CLIENT, TestApp } from '../helpers/test-app';

describe('development token issuer (RFC 6749 client credentials)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp()));
  afterAll(() => t.close());
  const token = () => t.http().post('/oauth2/token').type('form');

  it('issues an RS256 token with HTTP Basic or form credentials, all scopes by default, no-store', async () => {
    const basic = await token()
      .auth(DEV_CLIENT.id, DEV_CLIENT.secret)
      .send({ grant_type: 'client_credentials' })
      .expect(200);
    expect(basic.headers['cache-control']).toBe('no-store');
    expect(basic.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(basic.body.scope.split(' ')).toContain(Scope.PowerPathCreatePut);
    const header = decode(basic.body.access_token, { complete: true })?.header;
    expect(header).toMatchObject({ alg: 'RS256', kid: expect.any(String) });

    const form = await token()
      .send({ grant_type: 'client_credentials', client_id: DEV_CLIENT.id, client_secret: DEV_CLIENT.secret, scope: '' })
      .expect(200);
    expect(form.body.scope).toBe(basic.body.scope);
    const narrow = await token()
      .auth(DEV_CLIENT.id, DEV_CLIENT.secret)
      .send({ grant_type: 'client_credentials', scope: Scope.GradebookReadonly })
      .expect(200);
    expect(narrow.body.scope).toBe(Scope.GradebookReadonly);
  });

  it.each([
    [
      'a wrong secret',
      { grant_type: 'client_credentials', client_id: DEV_CLIENT.id, client_secret: 'nope' },
      401,
      'invalid_client',
    ],
    ['no client credentials', { grant_type: 'client_credentials' }, 401, 'invalid_client'],
    [
      'another grant type',
      { grant_type: 'password', client_id: DEV_CLIENT.id, client_secret: DEV_CLIENT.secret },
      400,
      'unsupported_grant_type',
    ],
    ['no grant type', { client_id: DEV_CLIENT.id, client_secret: DEV_CLIENT.secret }, 400, 'invalid_request'],
    [
      'a scope the client does not hold',
      {
        grant_type: 'client_credentials',
        client_id: DEV_CLIENT.id,
        client_secret: DEV_CLIENT.secret,
        scope: 'https://example.org/scope/x',
      },
      400,
      'invalid_scope',
    ],
  ])('refuses %s with the RFC 6749 error inside the imsx envelope', async (_name, body, status, error) => {
    const res = await token().send(body).expect(status);
    expect(res.body).toMatchObject({
      error,
      imsx_codeMajor: 'failure',
      imsx_error_details: [{ code: status === 401 ? 'UNAUTHENTICATED' : 'INVALID_REQUEST' }],
    });
    expect(res.body.access_token).toBeUndefined();
    if (status === 401) expect(res.headers['www-authenticate']).toMatch(/^Basic/);
  });

  it('ignores parameters it does not know (RFC 6749 §3.2), and refuses a repeated or non-text one as invalid_request', async () => {
    const extra = await token()
      .auth(DEV_CLIENT.id, DEV_CLIENT.secret)
      .send('grant_type=client_credentials&foo=bar&resource=https%3A%2F%2Fapi.example')
      .expect(200);
    expect(extra.body.token_type).toBe('Bearer');
    for (const body of [
      'grant_type=client_credentials&grant_type=password',
      'grant_type=client_credentials&scope=a&scope=b',
    ]) {
      const res = await token().auth(DEV_CLIENT.id, DEV_CLIENT.secret).send(body).expect(400);
      expect(res.body).toMatchObject({ error: 'invalid_request', imsx_codeMajor: 'failure' });
      expect(res.body.error_description).toMatch(/must be given once, as text/);
      expect(res.body.access_token).toBeUndefined();
    }
    const json = await t
      .http()
      .post('/oauth2/token')
      .auth(DEV_CLIENT.id, DEV_CLIENT.secret)
      .send({ grant_type: 'client_credentials', client_secret: ['x'] })
      .expect(400);
    expect(json.body).toMatchObject({ error: 'invalid_request', imsx_error_details: [{ field: 'client_secret' }] });
    // A parameter without a value is an omitted one (§3.1): JSON's null.
    await t
      .http()
      .post('/oauth2/token')
      .auth(DEV_CLIENT.id, DEV_CLIENT.secret)
      .send({ grant_type: 'client_credentials', scope: null, org: null })
      .expect(200);
  });

  it('serves its public keys as a JWKS', async () => {
    const res = await t.http().get('/.well-known/jwks.json').expect(200);
    expect(res.body.keys).toEqual([
      expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) }),
    ]);
    expect(JSON.stringify(res.body)).not.toMatch(/"d"|"p"|"q"/);
  });
});
