import { ErrorCode } from './error-code';

export interface AppErrorOptions {
  /** Field-level details, rendered as `imsx_error_details`. */
  details?: Record<string, string>[];
  /** Seconds the client should wait before retrying (sets `Retry-After`). */
  retryAfterSeconds?: number;
  /** Extra response headers (e.g. `WWW-Authenticate`). */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * How many problems of one request an answer names. A 100 KB body can break rules tens of thousands of times (an
 * array of 30,000 empty objects, each missing three fields): named all, the answer was 140 times the request.
 */
export const MAX_REPORTED_PROBLEMS = 20;

/**
 * A domain error: a code from ErrorCode, a message a caller may read, and what the answer needs (field details,
 * Retry-After, headers). It knows no HTTP: the global filter maps the code (error-responses.ts).
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: AppErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
  }

  static notFound(what: string, id: string): AppError {
    return new AppError(ErrorCode.NotFound, `${what} '${id}' not found`, { details: [{ field: what, value: id }] });
  }

  /** The caller's data cannot be used (INVALID_DATA, or a more specific code). */
  static invalidData(message: string, field?: string, code = ErrorCode.InvalidData): AppError {
    return new AppError(code, message, field ? { details: [{ field, message }] } : {});
  }

  static invalid(message: string, field?: string): AppError {
    return new AppError(ErrorCode.InvalidRequest, message, field ? { details: [{ field, message }] } : {});
  }

  /**
   * Every problem a request has, each with its field: the description joins their messages, the details list them.
   * Past MAX_REPORTED_PROBLEMS, the rest are counted ("and 41 more"), not named. `total`: how many there are, when
   * `problems` holds only the first of them.
   */
  static problems(
    code: ErrorCode,
    problems: readonly { field: string; message: string }[],
    total = problems.length,
  ): AppError {
    const named = problems.slice(0, MAX_REPORTED_PROBLEMS);
    const more = Math.max(total, problems.length) - named.length;
    const text = named.map((p) => p.message).join('; ');
    return new AppError(code, more > 0 ? `${text}; and ${more} more` : text, {
      details: named.map((p) => ({ field: p.field, message: p.message })),
    });
  }
}
