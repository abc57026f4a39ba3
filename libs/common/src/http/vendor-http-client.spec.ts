import nock from 'nock';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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

  it('goes through the proxy the environment names, and straight to the tool when it names none', async () => {
    // Real sockets: nock's interceptor does not take a request addressed to a proxy.
    const served: string[] = [];
    const server = (name: string) =>
      createServer((req, res) => {
        served.push(`${name} ${req.url}`);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ via: name }));
      });
    const [proxy, tool] = [server('proxy'), server('tool')];
    const url = async (s: ReturnType<typeof createServer>) => {
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    };
    const [proxyUrl, toolUrl] = [await url(proxy), await url(tool)];
    const saved = process.env.HTTP_PROXY;
    nock.restore();
    try {
      process.env.HTTP_PROXY = proxyUrl;
      const viaProxy = new VendorHttpClient(options());
      expect((await viaProxy.request({ method: 'GET', path: '/p' })).data).toEqual({ via: 'proxy' });
      delete process.env.HTTP_PROXY;
      const direct = new VendorHttpClient(options({ baseUrl: toolUrl }));
      expect((await direct.request({ method: 'GET', path: '/p' })).data).toEqual({ via: 'tool' });
      expect(served).toEqual([`proxy ${BASE}/p`, 'tool /p']);
    } finally {
      if (saved === undefined) delete process.env.HTTP_PROXY;
      else process.env.HTTP_PROXY = saved;
      nock.activate();
      await Promise.all([proxy, tool].map((s) => new Promise((r) => s.close(r))));
    }
  });
});
