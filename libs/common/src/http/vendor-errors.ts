/**
 * Transport-level failure talking to a tool: the tool could not be reached, did not answer in time, or
 * answered with a transient status (5xx / 429). `retryable` marks what the resilience policy may retry.
 */
export class VendorTransportError extends Error {
  constructor(
    readonly tool: string,
    readonly reason:
      | 'timeout'
      | 'unreachable'
      | 'server_error'
      | 'throttled'
      | 'circuit_open'
      | 'saturated'
      | 'bad_response',
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
}
