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

  it('answers unknown routes with the imsx 404', async () => {
    const res = await t.http().get('/no/such/route').expect(404);
    expect(res.body).toMatchObject({
      imsx_codeMajor: 'failure',
      imsx_CodeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldValue: 'unknownobject' }] },
    });
  });
});
