import nock from 'nock';
import type { AxiosInstance } from 'axios';
import { CircuitState } from 'cockatiel';
import { environmentNamesProxy, VendorHttpClient, VendorHttpOptions } from './vendor-http-client';
import { ErrorCode } from '../errors/error-code';
import { httpStatusOf, transportErrorCode } from '../errors/error-responses';
import { VendorTransportError } from './vendor-errors';

const BASE = 'http://tool.test';
const options = (o: Partial<VendorHttpOptions> = {}): VendorHttpOptions => ({
  tool: 'Tool',
  baseUrl: BASE,
  attemptTimeoutMs: 1_000,
  totalDeadlineMs: 4_000,
  maxAttempts: 1,
  maxResponseBytes: 1024,
  breaker: { consecutiveFailures: 3, halfOpenAfterMs: 200 },
  bulkhead: { limit: 4, queue: 0 },
  ...o,
});

async function failure(p: Promise<unknown>): Promise<VendorTransportError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof VendorTransportError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

describe('VendorHttpClient', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('opens the circuit after consecutive failures, fails fast with Retry-After, then probes and closes', async () => {
    const client = new VendorHttpClient(options());
    nock(BASE).get('/x').times(3).reply(500);
    for (let i = 0; i < 3; i++)
      expect((await failure(client.request({ method: 'GET', path: '/x' }))).reason).toBe('server_error');
    expect(client.circuitState).toBe(CircuitState.Open);

    const fast = await failure(client.request({ method: 'GET', path: '/x' }));
    expect(fast.reason).toBe('circuit_open');
    expect(transportErrorCode(fast)).toBe(ErrorCode.ToolUnavailable);
    expect(fast.options.retryAfterMs).toBe(200);

    await new Promise((r) => setTimeout(r, 250));
    const probe = nock(BASE).get('/x').reply(200, { ok: true });
    expect((await client.request({ method: 'GET', path: '/x' })).data).toEqual({ ok: true });
    expect(probe.isDone()).toBe(true);
    expect(client.circuitState).toBe(CircuitState.Closed);
  });

  it('does not count the caller’s 4xx as tool failures', async () => {
    const client = new VendorHttpClient(options());
    nock(BASE).get('/x').times(5).reply(404, { message: 'nope' });
    for (let i = 0; i < 5; i++) expect((await client.request({ method: 'GET', path: '/x' })).status).toBe(404);
    expect(client.circuitState).toBe(CircuitState.Closed);
  });

  it('rejects calls beyond the bulkhead at once (saturated → 503)', async () => {
    const client = new VendorHttpClient(options({ bulkhead: { limit: 1, queue: 0 } }));
    nock(BASE).get('/slow').delay(150).reply(200, {});
    const first = client.request({ method: 'GET', path: '/slow' });
    const second = await failure(client.request({ method: 'GET', path: '/slow' }));
    expect(second.reason).toBe('saturated');
    expect(httpStatusOf(transportErrorCode(second))).toBe(503);
    await first;
  });

  it('refuses an oversized response', async () => {
    const client = new VendorHttpClient(options());
    nock(BASE)
      .get('/big')
      .reply(200, { blob: 'x'.repeat(5_000) });
    expect((await failure(client.request({ method: 'GET', path: '/big' }))).reason).toBe('bad_response');
  });

  it('retries safe calls with backoff, never unsafe ones', async () => {
    const client = new VendorHttpClient(options({ maxAttempts: 3 }));
    const safe = nock(BASE).get('/r').twice().reply(503).get('/r').reply(200, { ok: 1 });
    expect((await client.request({ method: 'GET', path: '/r', retry: true })).status).toBe(200);
    expect(safe.isDone()).toBe(true);
    const unsafe = nock(BASE).post('/w').reply(503).post('/w').reply(200, {});
    expect((await failure(client.request({ method: 'POST', path: '/w' }))).reason).toBe('server_error');
    expect(unsafe.pendingMocks()).toHaveLength(1);
  });

  it('sends bodies as JSON and reads answers as axios did: JSON parsed, any other text as it came', async () => {
    const client = new VendorHttpClient(options());
    const sent = nock(BASE, { reqheaders: { 'content-type': 'application/json', accept: 'application/json' } })
      .post('/j', { a: 1, nested: { b: [true, null, 'é'] } })
      .reply(201, { ok: true });
    expect(
      (await client.request({ method: 'POST', path: '/j', body: { a: 1, nested: { b: [true, null, 'é'] } } })).data,
    ).toEqual({ ok: true });
    expect(sent.isDone()).toBe(true);
    // No body: no content type of ours, nothing sent.
    nock(BASE, { badheaders: ['content-type'] })
      .get('/t')
      .reply(502, '<html>Bad gateway</html>', { 'content-type': 'text/html' })
      .get('/e')
      .reply(204, '')
      .get('/n')
      .reply(200, '42', { 'content-type': 'text/plain' });
    expect((await failure(client.request({ method: 'GET', path: '/t' }))).options.status).toBe(502);
    nock(BASE).get('/t2').reply(404, '<html>Not here</html>', { 'content-type': 'text/html' });
    expect((await client.request({ method: 'GET', path: '/t2' })).data).toBe('<html>Not here</html>');
    expect((await client.request({ method: 'GET', path: '/e' })).data).toBe('');
    expect((await client.request({ method: 'GET', path: '/n' })).data).toBe(42);
  });

  it('names a proxy only when the environment does', () => {
    expect(environmentNamesProxy({})).toBe(false);
    expect(environmentNamesProxy({ NO_PROXY: '*' })).toBe(false);
    expect(environmentNamesProxy({ HTTPS_PROXY: 'http://proxy:3128' })).toBe(true);
    expect(environmentNamesProxy({ http_proxy: 'proxy:3128' })).toBe(true);
    expect(environmentNamesProxy({ ALL_PROXY: 'http://proxy:3128' })).toBe(true);
  });

  it('leaves the proxy to axios when the environment names one, and skips the lookup when it names none', () => {
    // axios's own proxy handling is not ours to test (and jest's other suites leave nock's interceptor on the
    // sockets); what is ours is the setting it gets.
    const proxyOf = (c: VendorHttpClient) => (c as unknown as { http: AxiosInstance }).http.defaults.proxy;
    const names = ['http_proxy', 'https_proxy', 'all_proxy'].flatMap((v) => [v, v.toUpperCase()]);
    const saved = Object.fromEntries(names.map((v) => [v, process.env[v]]));
    try {
      for (const v of names) delete process.env[v];
      expect(proxyOf(new VendorHttpClient(options()))).toBe(false);
      process.env.HTTPS_PROXY = 'http://proxy.test:3128';
      expect(proxyOf(new VendorHttpClient(options()))).toBeUndefined();
    } finally {
      for (const v of names)
        if (saved[v] === undefined) delete process.env[v];
        else process.env[v] = saved[v];
    }
  });
});
