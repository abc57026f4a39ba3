import nock from 'nock';
import { execFile } from 'node:child_process';
import { createServer, Server } from 'node:http';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { CircuitState } from 'cockatiel';
import { environmentNamesProxy } from './node-http-transport';
import { MIN_RETRY_DELAY_MS, VendorHttpClient, VendorHttpOptions } from './vendor-http-client';
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
  // Gives http back as it was: this file's nock would otherwise stay patched into it for the next test file.
  afterAll(() => {
    nock.enableNetConnect();
    nock.restore();
  });

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

  it('waits at least MIN_RETRY_DELAY_MS before a retry, where jitter alone would send it at once', async () => {
    const client = new VendorHttpClient(options({ maxAttempts: 2 }));
    // Math.random() 0 makes decorrelated jitter's first delay 0 ms.
    const random = jest.spyOn(Math, 'random').mockReturnValue(0);
    const arrivals: number[] = [];
    const arrived = (status: number) => () => {
      arrivals.push(performance.now());
      return [status, {}] as [number, object];
    };
    try {
      // Twice: the first call also warms the path, so the second's gap is the wait and not the first call's cost.
      for (let i = 0; i < 2; i++) {
        nock(BASE).get('/j').reply(arrived(503)).get('/j').reply(arrived(200));
        expect((await client.request({ method: 'GET', path: '/j', retry: true })).status).toBe(200);
      }
    } finally {
      random.mockRestore();
    }
    expect(arrivals).toHaveLength(4);
    // A timer may fire up to a millisecond early.
    expect(arrivals[3] - arrivals[2]).toBeGreaterThanOrEqual(MIN_RETRY_DELAY_MS - 1);
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

  it('joins the base URL and the path with one slash and sends only the defined query values', async () => {
    const client = new VendorHttpClient(options({ baseUrl: `${BASE}/api/` }));
    const seen = nock(BASE).get('/api/v1/x').query({ a: '1', c: 'x y&z' }).reply(200, { ok: true });
    await client.request({ method: 'GET', path: '/v1/x', query: { a: 1, b: undefined, c: 'x y&z' } });
    expect(seen.isDone()).toBe(true);
  });

  it('reads a compressed answer and joins repeated headers as one lower-case value', async () => {
    const client = new VendorHttpClient(options());
    nock(BASE)
      .get('/z')
      .reply(200, gzipSync(JSON.stringify({ ok: 'é' })), {
        'Content-Encoding': 'gzip',
        'Content-Type': 'application/json',
        'Set-Cookie': ['a=1', 'b=2'],
      });
    const res = await client.request({ method: 'GET', path: '/z' });
    expect(res.data).toEqual({ ok: 'é' });
    expect(res.headers['set-cookie']).toBe('a=1, b=2');
    // A body that is not what its encoding says, from a real server (nock hands a mocked body over differently).
    const garbled = createServer((_req, res) => res.setHeader('content-encoding', 'gzip').end('not gzip at all'));
    await new Promise<void>((r) => garbled.listen(0, '127.0.0.1', r));
    nock.enableNetConnect('127.0.0.1');
    try {
      const port = (garbled.address() as AddressInfo).port;
      const direct = new VendorHttpClient(options({ baseUrl: `http://127.0.0.1:${port}` }));
      expect((await failure(direct.request({ method: 'GET', path: '/bad' }))).reason).toBe('bad_response');
    } finally {
      nock.disableNetConnect();
      await new Promise((r) => garbled.close(r));
    }
  });

  it('reads a deflate answer whether it comes zlib-wrapped, as the standard says, or raw, as some servers send it', async () => {
    const client = new VendorHttpClient(options());
    const body = JSON.stringify({ ok: 'é'.repeat(300) });
    for (const deflated of [deflateSync(body), deflateRawSync(body), deflateSync(''), deflateRawSync('')]) {
      nock(BASE).get('/d').reply(200, deflated, { 'Content-Encoding': 'deflate' });
      const res = await client.request({ method: 'GET', path: '/d' });
      expect(res.data).toEqual(deflated.length > 10 ? JSON.parse(body) : '');
    }
    nock(BASE).get('/d').reply(200, Buffer.from('neither zlib nor raw deflate'), { 'Content-Encoding': 'deflate' });
    expect((await failure(client.request({ method: 'GET', path: '/d' }))).reason).toBe('bad_response');
  });

  it('ends an attempt at its own timeout, and says the tool may have acted on it', async () => {
    const client = new VendorHttpClient(options({ attemptTimeoutMs: 100 }));
    nock(BASE).post('/slow').delay(1_000).reply(200, {});
    const started = Date.now();
    const e = await failure(client.request({ method: 'POST', path: '/slow', body: {} }));
    expect(e.reason).toBe('timeout');
    expect(e.mayHaveReachedTool).toBe(true);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('knows a refused connection carried nothing', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise((r) => closed.close(r));
    nock.enableNetConnect('127.0.0.1');
    try {
      const client = new VendorHttpClient(options({ baseUrl: `http://127.0.0.1:${port}` }));
      const e = await failure(client.request({ method: 'POST', path: '/w', body: {} }));
      expect(e.reason).toBe('unreachable');
      expect(e.mayHaveReachedTool).toBe(false);
    } finally {
      nock.disableNetConnect();
    }
  });

  it('sends calls through a proxy the environment names, every call in proxy form, except to hosts in NO_PROXY', async () => {
    // A forward proxy for plain HTTP (the request line carries the absolute URL) that answers for the tool, and the
    // tool reached directly. The client runs in a process of its own: nock, loaded by other suites in this worker,
    // patches node:http for the whole process, and the proxy's sockets are not its to see.
    const proxy = createServer((req, res) =>
      res.end(JSON.stringify({ via: 'proxy', url: req.url, auth: req.headers['proxy-authorization'] ?? null })),
    );
    const tool = createServer((req, res) => res.end(JSON.stringify({ via: 'direct', url: req.url })));
    const listen = (s: Server) =>
      new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));
    const [proxyPort, toolPort] = await Promise.all([listen(proxy), listen(tool)]);
    const script = `
      require('ts-node').register({ transpileOnly: true });
      const { VendorHttpClient } = require(${JSON.stringify(require.resolve('./vendor-http-client'))});
      const options = ${JSON.stringify(options())};
      (async () => {
        const viaProxy = new VendorHttpClient({ ...options, baseUrl: 'http://tool.internal:8080/api' });
        const direct = new VendorHttpClient({ ...options, baseUrl: 'http://127.0.0.1:${toolPort}' });
        const answers = [];
        for (const path of ['/one', '/two']) answers.push((await viaProxy.request({ method: 'GET', path, query: { q: 1 } })).data);
        answers.push((await direct.request({ method: 'GET', path: '/d' })).data);
        process.stdout.write(JSON.stringify(answers));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    try {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        HTTP_PROXY: `http://u:p@127.0.0.1:${proxyPort}`,
        NO_PROXY: '127.0.0.1',
      };
      for (const v of ['http_proxy', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy']) delete env[v];
      const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { env, timeout: 30_000 });
      const auth = `Basic ${Buffer.from('u:p').toString('base64')}`;
      expect(JSON.parse(stdout)).toEqual([
        { via: 'proxy', url: 'http://tool.internal:8080/api/one?q=1', auth },
        { via: 'proxy', url: 'http://tool.internal:8080/api/two?q=1', auth },
        { via: 'direct', url: '/d' },
      ]);
    } finally {
      await Promise.all([proxy, tool].map((s) => new Promise((r) => s.close(r))));
    }
  }, 40_000);

  it('reads a body that starts with a byte-order mark, and an empty compressed answer', async () => {
    const client = new VendorHttpClient(options());
    nock(BASE).get('/bom').reply(200, '\ufeff{"a":1}', { 'Content-Type': 'application/json' });
    expect((await client.request({ method: 'GET', path: '/bom' })).data).toEqual({ a: 1 });
    nock(BASE).get('/empty').reply(503, '', { 'Content-Encoding': 'gzip', 'Content-Length': '0' });
    const e = await failure(client.request({ method: 'GET', path: '/empty' }));
    expect([e.reason, e.options.status, e.mayHaveReachedTool]).toEqual(['server_error', 503, false]);
  });

  it('ends a call at its deadline while the tool is still answering', async () => {
    const client = new VendorHttpClient(options({ attemptTimeoutMs: 5_000 }));
    nock(BASE).get('/late').delay(2_000).reply(200, {});
    const started = Date.now();
    const e = await failure(client.request({ method: 'GET', path: '/late', deadlineAt: Date.now() + 150 }));
    expect(e.reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('ends a retried call whose deadline passes in its backoff, as a call not sent again and no failure of the tool', async () => {
    const client = new VendorHttpClient(
      options({ maxAttempts: 3, breaker: { consecutiveFailures: 2, halfOpenAfterMs: 200 } }),
    );
    // One 503 (refused as a whole: nothing done), then a backoff that outlasts the call's deadline. The first
    // backoff is decorrelated jitter, anywhere from 0 to about 140 ms: pinned to its top (137 ms), so it lasts past
    // the deadline (the client ends it just after) however slow the 503's own round trip was, up to the whole 130 ms.
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.99);
    try {
      const tool = nock(BASE).get('/b').reply(503).get('/b').reply(200, {});
      const e = await failure(client.request({ method: 'GET', path: '/b', retry: true, deadlineAt: Date.now() + 130 }));
      expect([e.reason, e.mayHaveReachedTool]).toEqual(['timeout', false]);
      expect(tool.pendingMocks()).toHaveLength(1);
      expect(client.circuitState).toBe(CircuitState.Closed);
    } finally {
      random.mockRestore();
    }
  });

  it('refuses a header value node:http will not write, as a call never sent', async () => {
    const client = new VendorHttpClient(options());
    const e = await failure(client.request({ method: 'GET', path: '/h', headers: { 'X-Auth-Token': 'a\nb' } }));
    expect([e.reason, e.mayHaveReachedTool]).toEqual(['unreachable', false]);
  });
});
