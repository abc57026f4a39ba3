/**
 * Domain errors carry a kind, never an HTTP status: the global filter owns the mapping, so services stay
 * transport-agnostic and every error path answers with the same envelope.
 */
export type AppErrorKind =
  | 'invalid' // 400: malformed input
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'conflict' // 409: e.g. another request holds the lease
  | 'unprocessable' // 422: well-formed but not acceptable (caller's data, vendor rejection)
  | 'rate_limited' // 429
  | 'vendor_bad_gateway' // 502: the tool answered something we cannot use
  | 'vendor_unavailable' // 503: the tool is down / circuit open
  | 'vendor_timeout' // 504
  | 'internal'; // 500

export const STATUS_BY_KIND: Record<AppErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  rate_limited: 429,
  vendor_bad_gateway: 502,
  vendor_unavailable: 503,
  vendor_timeout: 504,
  internal: 500,
};

export interface AppErrorOptions {
  /** Field-level details, rendered as `imsx_error_details`. */
  details?: Record<string, string>[];
  /** Seconds the client should wait before retrying (sets `Retry-After`). */
  retryAfterSeconds?: number;
  /** Extra response headers (e.g. `WWW-Authenticate`). */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class AppError extends Error {
  constructor(
    readonly kind: AppErrorKind,
    message: string,
    readonly options: AppErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
  }

  get status(): number {
    return STATUS_BY_KIND[this.kind];
  }

  static notFound(what: string, id: string): AppError {
    return new AppError('not_found', `${what} '${id}' not found`, { details: [{ field: what, value: id }] });
  }

  static unprocessable(message: string, field?: string): AppError {
    return new AppError('unprocessable', message, field ? { details: [{ field, message }] } : {});
  }

  static invalid(message: string, field?: string): AppError {
    return new AppError('invalid', message, field ? { details: [{ field, message }] } : {});
  }
}
