import {
  BrokenCircuitError,
  BulkheadPolicy,
  BulkheadRejectedError,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  ExponentialBackoff,
  IBackoff,
  IRetryBackoffContext,
  bulkhead,
  circuitBreaker,
  handleWhen,
  retry,
} from 'cockatiel';
import { NodeHttpTransport } from './node-http-transport';
import { VendorCallObserver } from './vendor-call-observer';
import { VendorTransportError } from './vendor-errors';
import { withoutTrailingSlash } from '../util/base-url';

export interface VendorHttpOptions {
  tool: string;
  baseUrl: string;
  /** Per-attempt timeout (connect + response). */
  attemptTimeoutMs: number;
  /** Budget for one logical call including retries. */
  totalDeadlineMs: number;
  /** Attempts for calls marked `retry: true` (auth, reads, adoptable writes). */
  maxAttempts: number;
  maxResponseBytes: number;
  breaker: { consecutiveFailures: number; halfOpenAfterMs: number };
  bulkhead: { limit: number; queue: number };
  observer?: VendorCallObserver;
}

export interface VendorRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  /** Only calls that are safe to repeat are retried. */
  retry?: boolean;
  /** Epoch ms by which the call must end, whatever its own budget (the caller's flow has a deadline too). */
  deadlineAt?: number;
}

export interface VendorResponse<T = unknown> {
  status: number;
  data: T;
  headers: Record<string, string>;
  /**
   * An earlier attempt of this call may have reached the tool before this answer (it timed out, or broke): what
   * the tool says already exists may be that attempt's doing.
   */
  afterUnknownAttempt?: boolean;
}

const BACKOFF = new ExponentialBackoff({ initialDelay: 100, maxDelay: 2_000 });
const RETRY_AFTER_CAP_MS = 5_000;
/**
 * The least wait before a retry the tool did not time itself: decorrelated jitter's first delay is anywhere from 0
 * to about 140 ms, and a tool that just answered 503 is not helped by the same call a millisecond later.
 */
export const MIN_RETRY_DELAY_MS = 25;

/** On every call (a provider's own headers win): node:http sends no User-Agent, and some gateways refuse none. */
const SENT = { accept: 'application/json', 'user-agent': 'external-test-assignments' };
const JSON_BODY = { 'content-type': 'application/json' };

/** Response bodies as axios's defaults left them: JSON parsed where it parses, any other text as it came. */
function parseJsonLeniently(data: string): unknown {
  if (data === '') return data;
  try {
    // A byte-order mark is not JSON; some servers put one in front of it anyway.
    return JSON.parse(data.charCodeAt(0) === 0xfeff ? data.slice(1) : data) as unknown;
  } catch {
    return data;
  }
}

/**
 * One outbound HTTP client per tool: keep-alive sockets, per-attempt timeout, total deadline, retries with
 * capped decorrelated-jitter backoff (honouring Retry-After) for safe calls only, a circuit breaker and a
 * bulkhead. 4xx answers are returned to the caller, which owns the tool's error semantics; transport
 * failures surface as VendorTransportError. Each attempt is one exchange of NodeHttpTransport.
 */
export class VendorHttpClient {
  private readonly baseUrl: string;
  private readonly transport: NodeHttpTransport;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly bulkhead: BulkheadPolicy;

  constructor(private readonly options: VendorHttpOptions) {
    this.baseUrl = withoutTrailingSlash(options.baseUrl);
    this.transport = new NodeHttpTransport({
      tool: options.tool,
      maxSockets: options.bulkhead.limit,
      maxResponseBytes: options.maxResponseBytes,
    });
    this.breaker = circuitBreaker(
      handleWhen((e) => e instanceof VendorTransportError && e.retryable),
      {
        halfOpenAfter: options.breaker.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(options.breaker.consecutiveFailures),
      },
    );
    this.bulkhead = bulkhead(options.bulkhead.limit, options.bulkhead.queue);
    options.observer?.register(this);
  }

  get tool(): string {
    return this.options.tool;
  }

  get circuitState(): CircuitState {
    return this.breaker.state;
  }

  async request<T = unknown>(req: VendorRequest): Promise<VendorResponse<T>> {
    const deadlineAt = Math.min(Date.now() + this.options.totalDeadlineMs, req.deadlineAt ?? Infinity);
    // A timer cleared when the call ends. AbortSignal.timeout leaves its timer armed until the signal is collected,
    // through a weak reference and a finalization registration per call (BENCHMARKS.md, session 12).
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new DOMException('The call reached its deadline', 'TimeoutError')),
      Math.max(0, deadlineAt - Date.now()),
    ).unref();
    // Whether any attempt may have reached the tool: then the call's outcome is unknown, whatever failed last.
    let reached = false;
    const attempt = (signal: AbortSignal) =>
      this.bulkhead.execute(() => {
        // The deadline passed in a retry's backoff or in the bulkhead's queue: nothing is sent, and the tool did
        // not fail (the breaker does not count it). By the clock too: the backoff ends when the deadline does, and
        // its timer may fire before the deadline's.
        if (signal.aborted || Date.now() >= deadlineAt) throw this.deadlinePassed(true);
        return this.breaker.execute(() =>
          this.once<T>(req, signal).catch((e: unknown) => {
            reached ||= !(e instanceof VendorTransportError) || e.mayHaveReachedTool;
            throw e;
          }),
        );
      });
    try {
      const res = req.retry
        ? await this.retryPolicy(deadlineAt).execute(({ signal }) => attempt(signal), deadline.signal)
        : await attempt(deadline.signal);
      return reached ? { ...res, afterUnknownAttempt: true } : res;
    } catch (e) {
      const error = this.normalize(e, deadline.signal);
      throw reached && error instanceof VendorTransportError && !error.mayHaveReachedTool ? error.reachedTool() : error;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Retries of a call that is safe to repeat: only what is transient and can still finish in time (a Retry-After
   * past the deadline ends it now).
   */
  private retryPolicy(deadlineAt: number) {
    const worthRetrying = (e: unknown) =>
      e instanceof VendorTransportError && e.retryable && (e.options.retryAfterMs ?? 0) < deadlineAt - Date.now();
    return retry(handleWhen(worthRetrying), {
      maxAttempts: this.options.maxAttempts - 1,
      backoff: new DelegateBackoff((ctx: IRetryBackoffContext<unknown>, state?: IBackoff<unknown>) => {
        const next = retryDelay(ctx, state);
        // Capped just past the deadline: a timer may fire a millisecond before Date.now() reaches its time, and a
        // retry sent then would be cut off at once, as a call that may have reached the tool.
        return { ...next, delay: Math.max(0, Math.min(next.delay, deadlineAt - Date.now() + 1)) };
      }),
    });
  }

  private async once<T>(req: VendorRequest, signal: AbortSignal): Promise<VendorResponse<T>> {
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const res = await this.attempt<T>(req, signal);
      this.options.observer?.attempt(this.tool, String(res.status), seconds());
      return res;
    } catch (e) {
      this.options.observer?.attempt(
        this.tool,
        e instanceof VendorTransportError ? (e.options.status ? String(e.options.status) : e.reason) : 'error',
        seconds(),
      );
      throw e;
    }
  }

  private async attempt<T>(req: VendorRequest, signal: AbortSignal): Promise<VendorResponse<T>> {
    const res = await this.transport.send({
      method: req.method,
      url: this.url(req),
      headers:
        req.body === undefined ? Object.assign({}, SENT, req.headers) : Object.assign({}, SENT, JSON_BODY, req.headers),
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      signal,
      timeoutMs: this.options.attemptTimeoutMs,
    });
    const { headers } = res;
    if (res.status >= 500 || res.status === 429 || res.status === 408) {
      throw new VendorTransportError(
        this.tool,
        res.status === 429 ? 'throttled' : res.status === 408 ? 'timeout' : 'server_error',
        `answered HTTP ${res.status}`,
        { status: res.status, retryAfterMs: parseRetryAfter(headers['retry-after']) },
      );
    }
    if (res.status >= 300 && res.status < 400) {
      throw new VendorTransportError(this.tool, 'bad_response', `answered a redirect (HTTP ${res.status})`, {
        status: res.status,
      });
    }
    return { status: res.status, data: parseJsonLeniently(res.text) as T, headers };
  }

  /** The base URL and the path joined by one slash, and the query's defined values encoded, as axios did. */
  private url(req: VendorRequest): string {
    const url = `${this.baseUrl}/${req.path.replace(/^\/+/, '')}`;
    if (!req.query) return url;
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(req.query)) if (value !== undefined) query.append(name, String(value));
    const encoded = query.toString();
    return encoded ? `${url}${url.includes('?') ? '&' : '?'}${encoded}` : url;
  }

  private normalize(e: unknown, deadline: AbortSignal): unknown {
    if (e instanceof BrokenCircuitError) {
      return new VendorTransportError(this.tool, 'circuit_open', 'circuit open after repeated failures', {
        retryAfterMs: this.options.breaker.halfOpenAfterMs,
        notSent: true,
      });
    }
    if (e instanceof BulkheadRejectedError) {
      return new VendorTransportError(this.tool, 'saturated', 'too many concurrent calls', {
        retryAfterMs: 1_000,
        notSent: true,
      });
    }
    if (deadline.aborted && !(e instanceof VendorTransportError && e.reason !== 'timeout')) {
      return this.deadlinePassed(e instanceof VendorTransportError && e.options.notSent === true);
    }
    return e;
  }

  private deadlinePassed(notSent: boolean): VendorTransportError {
    return new VendorTransportError(this.tool, 'timeout', 'deadline exceeded', notSent ? { notSent } : {});
  }
}

function retryDelay(ctx: IRetryBackoffContext<unknown>, state?: IBackoff<unknown>) {
  const next = state ? state.next(ctx) : BACKOFF.next();
  const err = 'error' in ctx.result ? ctx.result.error : undefined;
  const retryAfter = err instanceof VendorTransportError ? err.options.retryAfterMs : undefined;
  const delay =
    retryAfter !== undefined ? Math.min(retryAfter, RETRY_AFTER_CAP_MS) : Math.max(MIN_RETRY_DELAY_MS, next.duration);
  return { delay, state: next };
}

export function parseRetryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
