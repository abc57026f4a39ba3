import { Agent as HttpAgent, ClientRequest, IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { constants, createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import { Readable, Transform, TransformCallback } from 'node:stream';
import { ProxyAgent } from 'proxy-agent';
import { VendorTransportError } from './vendor-errors';

/** What one attempt sends: a full URL, headers as they go out, a body already serialised. */
export interface TransportRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** The call's deadline (aborting it ends the attempt). */
  signal: AbortSignal;
  /** This attempt's own limit, connect to last byte. */
  timeoutMs: number;
}

/** What came back: status, lower-case headers (repeated ones joined), the body as text. */
export interface TransportResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export interface TransportOptions {
  tool: string;
  /** Sockets kept open per tool (the bulkhead's limit). */
  maxSockets: number;
  maxResponseBytes: number;
}

/** TCP keep-alive probes on idle sockets after 60 s, as axios set them. */
const TCP_KEEPALIVE_MS = 60_000;

/** The variables that name a proxy (`NO_PROXY` only matters when one of them is set). */
export const PROXY_VARIABLES = ['http_proxy', 'https_proxy', 'all_proxy'] as const;

/** Whether the environment names a proxy at all (proxy-agent then decides per call, NO_PROXY included). */
export function environmentNamesProxy(env: NodeJS.ProcessEnv = process.env): boolean {
  return PROXY_VARIABLES.some((v) => env[v] || env[v.toUpperCase()]);
}

// Flushing as axios did, so that an empty or cut-short compressed body (a 503 with no content) reads as what it
// holds rather than as an error.
const ZLIB_FLUSH = { flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH };
const BROTLI_FLUSH = {
  flush: constants.BROTLI_OPERATION_FLUSH,
  finishFlush: constants.BROTLI_OPERATION_FLUSH,
};

/**
 * `deflate` is zlib-wrapped DEFLATE (RFC 9110 §8.4.1.2), but some servers send it raw, as axios allowed: the first
 * two bytes tell them apart (a zlib header names method 8 and is a multiple of 31).
 */
class EitherDeflate extends Transform {
  private inflate?: Transform;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (!this.inflate) {
      const zlib = (chunk[0] & 0x0f) === 0x08 && (chunk.length < 2 || chunk.readUInt16BE(0) % 31 === 0);
      this.inflate = (zlib ? createInflate : createInflateRaw)(ZLIB_FLUSH);
      this.inflate.on('data', (d: Buffer) => this.push(d));
      this.inflate.on('error', (e) => this.destroy(e));
    }
    this.inflate.write(chunk, () => done());
  }

  override _flush(done: TransformCallback): void {
    if (!this.inflate) return done();
    this.inflate.once('end', () => done());
    this.inflate.end();
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    this.inflate?.destroy();
    done(error);
  }
}

const DECODERS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: () => createGunzip(ZLIB_FLUSH),
  'x-gzip': () => createGunzip(ZLIB_FLUSH),
  deflate: () => new EitherDeflate(),
  br: () => createBrotliDecompress(BROTLI_FLUSH),
};

/**
 * One HTTP exchange on node:http with keep-alive sockets. This is the part of a tool call that axios's request
 * pipeline did (config merging, header objects, its adapter): about half of a tool call's CPU, measured in
 * BENCHMARKS.md. Every failure is a VendorTransportError; whether it is worth retrying is the client's call.
 */
export class NodeHttpTransport {
  private readonly http: HttpAgent;
  private readonly https: HttpsAgent;
  /** Only where the environment names a proxy: the lookup per call is not free. */
  private readonly proxy?: ProxyAgent;

  constructor(private readonly options: TransportOptions) {
    const sockets = { keepAlive: true, keepAliveMsecs: TCP_KEEPALIVE_MS, maxSockets: options.maxSockets };
    this.http = new HttpAgent(sockets);
    this.https = new HttpsAgent(sockets);
    // Without keep-alive of its own: http-proxy-agent writes the absolute URL (and the proxy's credentials) only on
    // a new socket, so a reused one would carry the next request in origin form. Direct calls keep theirs.
    if (environmentNamesProxy()) this.proxy = new ProxyAgent({ httpAgent: this.http, httpsAgent: this.https });
  }

  send(req: TransportRequest): Promise<TransportResponse> {
    const secure = req.url.startsWith('https:');
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
    return new Promise<TransportResponse>((resolve, reject) => {
      const { signal } = req;
      let timedOut = false;
      // The timer and the deadline settle the call themselves: a request still queued for a socket may never
      // report its own end.
      const timer = setTimeout(() => {
        timedOut = true;
        stop(new Error('attempt timed out'));
      }, req.timeoutMs);
      const onAbort = () => stop(signal.reason);
      const settle = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      const done = (res: TransportResponse) => {
        settle();
        resolve(res);
      };
      const fail = (e: unknown) => {
        settle();
        reject(this.failure(e, timedOut || signal.aborted));
      };
      let outgoing: ClientRequest | undefined;
      const stop = (e: unknown) => {
        fail(e);
        outgoing?.destroy();
      };
      if (signal.aborted) return stop(signal.reason);
      signal.addEventListener('abort', onAbort);
      try {
        outgoing = (secure ? httpsRequest : httpRequest)(
          req.url,
          { method: req.method, headers, agent: this.proxy ?? (secure ? this.https : this.http) },
          (res) => this.read(res, signal, done, fail),
        );
      } catch (e) {
        // Refused before anything was sent (a header value node:http will not write).
        settle();
        return reject(
          new VendorTransportError(this.options.tool, 'unreachable', codeOf(e) ?? 'invalid request', { notSent: true }),
        );
      }
      outgoing.on('error', fail);
      outgoing.end(req.body);
    });
  }

  /** The body, decoded where the tool compressed it, up to maxResponseBytes. */
  private read(
    res: IncomingMessage,
    signal: AbortSignal,
    done: (res: TransportResponse) => void,
    fail: (e: unknown) => void,
  ): void {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers))
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    const encoding = headers['content-encoding']?.trim().toLowerCase();
    const decoder = encoding && res.statusCode !== 204 ? DECODERS[encoding] : undefined;
    const body = decoder ? (res.pipe(decoder()) as unknown as Readable) : res;
    const chunks: Buffer[] = [];
    let size = 0;
    // The first failure settles the call; closing the socket after it may raise more, which find it settled.
    const stop = (e: unknown) => {
      fail(e);
      res.destroy();
      // The decoder too: it would go on inflating what it holds (and keep zlib's memory) until collected.
      if (body !== res) body.destroy();
    };
    if (body !== res) {
      res.on('error', stop);
      body.on('error', () => stop(new VendorTransportError(this.options.tool, 'bad_response', 'undecodable body')));
    } else body.on('error', stop);
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > this.options.maxResponseBytes)
        stop(new VendorTransportError(this.options.tool, 'bad_response', 'response too large'));
      else chunks.push(chunk);
    });
    body.on('end', () => {
      if (signal.aborted) stop(signal.reason);
      else done({ status: res.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString('utf8') });
    });
  }

  private failure(e: unknown, timedOut: boolean): VendorTransportError {
    if (e instanceof VendorTransportError) return e;
    if (timedOut) return new VendorTransportError(this.options.tool, 'timeout', 'timed out');
    const code = codeOf(e);
    // A refused connection never carried the request: the tool made nothing.
    return new VendorTransportError(this.options.tool, 'unreachable', code ?? 'connection failed', {
      notSent: code === 'ECONNREFUSED',
    });
  }
}

function codeOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}
