import { createTestApp, TestApp } from '../helpers/test-app';

describe('health and request ids', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp()));
  afterAll(() => t.close());

  it('GET /health pings the database; /health/live does no I/O; both need no token', async () => {
    const ready = await t.http().get('/health').expect(200);
    expect(ready.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
    await t.http().get('/health/live').expect(200, { status: 'ok' });
  });

  it('echoes a well-formed X-Request-Id and makes one otherwise', async () => {
    const echoed = await t.http().get('/health/live').set('X-Request-Id', 'trace-123').expect(200);
    expect(echoed.headers['x-request-id']).toBe('trace-123');
    const made = await t.http().get('/health/live').set('X-Request-Id', 'bad id with spaces').expect(200);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers a known path asked with a method it does not serve with the imsx 405 and Allow', async () => {
    const res = await t.http().get('/powerpath/makeExternalTestAssignment').expect(405);
    expect(res.headers.allow).toBe('POST');
    expect(res.body).toMatchObject({
      imsx_codeMajor: 'failure',
      imsx_description: 'GET is not served here; this path serves POST',
      imsx_error_details: [{ code: 'INVALID_REQUEST' }],
    });
    // Every answer's headers: helmet's and the request id.
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    // Paths as the router matches them: a parameter, a trailing slash, another case.
    const one = await t.http().patch('/ims/oneroster/gradebook/v1p2/assessmentResults/r-1').send({}).expect(405);
    expect(one.headers.allow?.split(', ').sort()).toEqual(['DELETE', 'GET', 'HEAD', 'PUT']);
    await t.http().get('/PowerPath/makeExternalTestAssignment/').expect(405);
    expect((await t.http().post('/health/live').expect(405)).headers.allow).toBe('GET, HEAD');
  });

  it('answers unknown routes with the imsx 404', async () => {
    const res = await t.http().get('/no/such/route').expect(404);
    expect(res.body).toMatchObject({
      imsx_codeMajor: 'failure',
      imsx_CodeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldValue: 'unknownobject' }] },
    });
  });
});
