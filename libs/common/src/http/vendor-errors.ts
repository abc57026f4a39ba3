import { AppError } from '../errors/app-error';

/**
 * Transport-level failure talking to a tool: the tool could not be reached, did not answer in time, or
 * answered with a transient status (5xx / 429). `retryable` marks what the resilience policy may retry.
 */
export class VendorTransportError extends Error {
  constructor(
    readonly tool: string,
    readonly reason: 'timeout' | 'unreachable' | 'server_error' | 'throttled' | 'circuit_open' | 'saturated' | 'bad_response',
    message: string,
    readonly options: { status?: number; retryAfterMs?: number; notSent?: boolean; reached?: boolean } = {},
  ) {
    super(message);
    this.name = 'VendorTransportError';
  }

  get retryable(): boolean {
    return ['timeout', 'unreachable', 'server_error', 'throttled'].includes(this.reason);
  }

  /**
   * Whether the tool may have acted on the request: a timeout, a 5xx or a garbled answer leave it unknown; a
   * request never sent (refused, circuit open, bulkhead full) or refused as a whole (503, 429) did nothing.
   */
  get mayHaveReachedTool(): boolean {
    if (this.options.reached) return true;
    if (this.options.notSent || this.reason === 'throttled') return false;
    return !(this.reason === 'server_error' && this.options.status === 503);
  }

  /** The same failure, known to follow an earlier attempt that may have reached the tool. */
  reachedTool(): VendorTransportError {
    return new VendorTransportError(this.tool, this.reason, this.message, { ...this.options, reached: true });
  }

  /** How the failure reaches our caller: 504 for timeouts, 503 when the tool is unavailable, 502 otherwise. */
  toAppError(): AppError {
    const retryAfterSeconds = this.options.retryAfterMs !== undefined ? this.options.retryAfterMs / 1000 : undefined;
    if (this.reason === 'timeout') {
      return new AppError('vendor_timeout', `${this.tool} did not answer in time`, { cause: this });
    }
    // Unreachable, throttled, circuit open, saturated, or the tool itself said 503: unavailable, retry later.
    const unavailable =
      ['unreachable', 'circuit_open', 'saturated', 'throttled'].includes(this.reason) ||
      (this.reason === 'server_error' && this.options.status === 503);
    if (unavailable) {
      return new AppError('vendor_unavailable', `${this.tool} is unavailable: ${this.message}`, {
        retryAfterSeconds: retryAfterSeconds ?? 5,
        cause: this,
      });
    }
    return new AppError('vendor_bad_gateway', `${this.tool} failed: ${this.message}`, { cause: this });
  }
}
