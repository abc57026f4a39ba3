import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { recordAnsweredError } from './answered-errors';
import { AppError } from './app-error';
import { ErrorCode } from './error-code';
import { codeOfStatus, ERROR_RESPONSES, transportErrorCode } from './error-responses';
import { VendorTransportError } from '../http/vendor-errors';
import { imsxEnvelope } from './imsx-envelope';
import { loggableError } from './loggable-error';
import { isTransientDatabaseError } from './transient-database-error';

const GENERIC_BY_STATUS: Record<number, string> = {
  400: 'The request is malformed',
  401: 'Authentication required',
  403: 'Insufficient scope for this operation',
  404: 'Resource not found',
  405: 'Method not allowed',
  413: 'Request body too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Internal server error',
};

/** SQLSTATE query_canceled: statement_timeout (DATABASE_STATEMENT_TIMEOUT_MS) or an administrator's cancel. */
const STATEMENT_CANCELLED = '57014';
/** Long enough that clients retrying a statement that is slow every time do not keep the database busy with it. */
const STATEMENT_CANCELLED_RETRY_AFTER_SECONDS = 5;

/**
 * One filter for every error: domain errors (their code mapped to status and codeMinor by ERROR_RESPONSES, the code
 * itself in imsx_error_details), tool transport failures (the only place they are translated), a database that
 * refused for a moment (503 BUSY: a deadlock, a serialization failure, a full pool, a restart), framework HTTP
 * exceptions (validation, throttling, unknown routes, body-parser failures) and anything unexpected. The body is always the imsx envelope; unexpected
 * errors are logged with the request id (never request bodies or headers; a failed statement by its shape, see
 * loggableError) and answered with a generic 500, never a stack trace. It answers through the host's HTTP adapter,
 * so it serves Express and Fastify hosts alike.
 */
@Catch()
export class ImsxExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ImsxExceptionFilter');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = this.adapterHost.httpAdapter;
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<unknown>();
    const req = ctx.getRequest<{ id?: unknown; raw?: { readableAborted?: boolean }; readableAborted?: boolean }>();
    if (http.isHeadersSent(res)) return;

    const domain =
      exception instanceof VendorTransportError
        ? this.fromTransport(exception)
        : isTransientDatabaseError(exception)
          ? this.fromDatabase(exception, req?.id)
          : exception;
    const { status, description, details, headers, codeMinor } = this.describe(domain, req);
    // A domain error or a framework HTTP exception other than 500 is an answer (a readiness probe's 503 among them,
    // which terminus logs itself), not a fault.
    const answered =
      (domain instanceof AppError && domain.code !== ErrorCode.Internal) ||
      (domain instanceof HttpException && domain.getStatus() !== 500);
    if (status >= 500 && !answered) {
      this.logger.error({ error: loggableError(exception), requestId: req?.id }, 'Unhandled error');
    }
    for (const [name, value] of Object.entries(headers))
      if (!http.getHeader(res, name)) http.setHeader(res, name, value);
    // The access log line says which error (its code only: a description may quote the body, a tool's text or ids).
    if (req) recordAnsweredError(req, { code: details?.[0]?.code ?? String(status) });
    http.reply(res, imsxEnvelope(status, description, details, codeMinor), status);
  }

  private fromTransport(e: VendorTransportError): AppError {
    const code = transportErrorCode(e);
    const message =
      code === ErrorCode.ToolTimeout
        ? `${e.tool} did not answer in time`
        : code === ErrorCode.ToolUnavailable
          ? `${e.tool} is unavailable: ${e.message}`
          : `${e.tool} failed: ${e.message}`;
    const retryAfterSeconds =
      e.options.retryAfterMs !== undefined
        ? e.options.retryAfterMs / 1000
        : code === ErrorCode.ToolUnavailable
          ? 5
          : undefined;
    return new AppError(code, message, { retryAfterSeconds, cause: e });
  }

  /**
   * A database that refused for a moment is a 503 to retry, not a fault of ours (logged as a warning, by shape). A
   * statement cancelled by statement_timeout (57014) is the exception: it ran for the whole bound, so it is logged as
   * an error (a statement that is slow every time must be seen, not retried quietly for ever) and the client is asked
   * to wait longer.
   */
  private fromDatabase(e: unknown, requestId: unknown): AppError {
    const cancelled = (e as { code?: unknown }).code === STATEMENT_CANCELLED;
    if (cancelled) {
      this.logger.error(
        { error: loggableError(e), requestId },
        'A statement was cancelled (statement_timeout, or an administrator); answered 503',
      );
    } else {
      this.logger.warn({ error: loggableError(e), requestId }, 'The database refused for a moment; answered 503');
    }
    return new AppError(ErrorCode.Busy, 'The service is busy; retry after Retry-After seconds', {
      retryAfterSeconds: cancelled ? STATEMENT_CANCELLED_RETRY_AFTER_SECONDS : 1,
      cause: e,
    });
  }

  private describe(
    exception: unknown,
    // Fastify's request wraps Node's (raw); Express's is Node's.
    request?: { raw?: { readableAborted?: boolean }; readableAborted?: boolean },
  ): {
    status: number;
    description: string;
    details?: Record<string, string>[];
    headers: Record<string, string>;
    codeMinor?: string;
  } {
    if (exception instanceof AppError) {
      const headers = { ...(exception.options.headers ?? {}) };
      if (exception.options.retryAfterSeconds !== undefined) {
        headers['Retry-After'] = String(Math.max(1, Math.ceil(exception.options.retryAfterSeconds)));
      }
      const { status, codeMinor } = ERROR_RESPONSES[exception.code];
      const code = exception.code;
      const details = exception.options.details?.length
        ? exception.options.details.map((d) => ({ code, ...d }))
        : [{ code }];
      return { status, description: exception.message, details, headers, codeMinor };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message = typeof body === 'object' && body !== null && 'message' in body ? body.message : body;
      // Framework messages are safe for 4xx (validation, routing, body parsing); 5xx get a generic text.
      const description =
        status < 500 && typeof message === 'string' && message.length > 0
          ? message
          : (GENERIC_BY_STATUS[status] ?? HttpStatus[status] ?? 'Error');
      const headers: Record<string, string> = {};
      if (status === 429) headers['Retry-After'] = headers['Retry-After'] ?? '1';
      return { status, description, headers, details: [{ code: frameworkCode(status) }] };
    }
    // Body parsing failures (413 too large, 400 malformed, 415 media type), client errors safe to expose: Express's
    // body-parser throws http-errors marked `expose`, Fastify its own errors (code FST_…) with a `statusCode`.
    const httpError = exception as {
      status?: unknown;
      statusCode?: unknown;
      expose?: unknown;
      code?: unknown;
      message?: unknown;
    };
    // The client went away while its body arrived: its request failed, not the service (request-scope.ts logs it).
    const clientGone =
      httpError?.code === 'ECONNRESET' &&
      httpError.message === 'aborted' &&
      (request?.raw ?? request)?.readableAborted === true;
    const clientStatus =
      httpError?.expose === true
        ? httpError.status
        : typeof httpError?.code === 'string' && httpError.code.startsWith('FST_')
          ? httpError.statusCode
          : clientGone
            ? 400
            : undefined;
    if (typeof clientStatus === 'number' && clientStatus >= 400 && clientStatus < 500) {
      const status = clientStatus;
      return {
        status,
        description: GENERIC_BY_STATUS[status] ?? String(httpError.message),
        headers: {},
        details: [{ code: frameworkCode(status) }],
      };
    }
    return { status: 500, description: GENERIC_BY_STATUS[500], headers: {}, details: [{ code: ErrorCode.Internal }] };
  }
}

/** The code of a framework error (unknown route, body parser, a Nest HttpException): by its status. */
function frameworkCode(status: number): ErrorCode {
  return status >= 400 && status < 500 && ![401, 403, 404, 409, 422, 429].includes(status)
    ? ErrorCode.InvalidRequest
    : codeOfStatus(status);
}
