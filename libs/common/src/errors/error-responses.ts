import { ErrorCode } from './error-code';
import { VendorTransportError } from '../http/vendor-errors';

/** The HTTP status and imsx `codeMinor` of an error code. */
export interface ErrorResponse {
  status: number;
  codeMinor:
    | 'invaliddata'
    | 'unauthorisedrequest'
    | 'forbidden'
    | 'unknownobject'
    | 'server_busy'
    | 'internal_server_error';
}

/**
 * Every code's answer, in one table: a code without an entry does not compile. The statuses are those the
 * upstream specs list (400, 401, 403, 404, 422, 429, 500) plus 409 / 502 / 503 / 504 where HTTP demands them.
 */
export const ERROR_RESPONSES: { readonly [C in ErrorCode]: ErrorResponse } = {
  [ErrorCode.InvalidRequest]: { status: 400, codeMinor: 'invaliddata' },
  [ErrorCode.Unauthenticated]: { status: 401, codeMinor: 'unauthorisedrequest' },
  [ErrorCode.InsufficientScope]: { status: 403, codeMinor: 'forbidden' },
  [ErrorCode.OrgRestricted]: { status: 403, codeMinor: 'forbidden' },
  [ErrorCode.NotFound]: { status: 404, codeMinor: 'unknownobject' },
  [ErrorCode.InProgress]: { status: 409, codeMinor: 'invaliddata' },
  [ErrorCode.InvalidData]: { status: 422, codeMinor: 'invaliddata' },
  [ErrorCode.UnsupportedTool]: { status: 422, codeMinor: 'invaliddata' },
  [ErrorCode.UnknownApplication]: { status: 422, codeMinor: 'invaliddata' },
  [ErrorCode.ToolRefused]: { status: 422, codeMinor: 'invaliddata' },
  [ErrorCode.TestHeld]: { status: 422, codeMinor: 'invaliddata' },
  [ErrorCode.NoAssignment]: { status: 422, codeMinor: 'invaliddata' },
  [ErrorCode.AttemptNotCompleted]: { status: 422, codeMinor: 'invaliddata' },
  [ErrorCode.IdempotencyKeyReused]: { status: 422, codeMinor: 'invaliddata' },
  [ErrorCode.RateLimited]: { status: 429, codeMinor: 'server_busy' },
  [ErrorCode.ToolBadResponse]: { status: 502, codeMinor: 'server_busy' },
  [ErrorCode.ToolUnavailable]: { status: 503, codeMinor: 'server_busy' },
  [ErrorCode.ToolTimeout]: { status: 504, codeMinor: 'server_busy' },
  [ErrorCode.Busy]: { status: 503, codeMinor: 'server_busy' },
  [ErrorCode.Internal]: { status: 500, codeMinor: 'internal_server_error' },
};

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_RESPONSES[code].status;
}

/** A code from a stored status (idempotency records kept before codes were stored). */
export function codeOfStatus(status: number): ErrorCode {
  return (
    (Object.keys(ERROR_RESPONSES) as ErrorCode[]).find((c) => ERROR_RESPONSES[c].status === status) ??
    ErrorCode.InvalidData
  );
}

/** How a tool transport failure reaches our caller: a timeout is 504, an unavailable tool 503, anything else 502. */
export function transportErrorCode(e: VendorTransportError): ErrorCode {
  if (e.reason === 'timeout') return ErrorCode.ToolTimeout;
  const unavailable =
    ['unreachable', 'circuit_open', 'saturated', 'throttled'].includes(e.reason) ||
    (e.reason === 'server_error' && e.options.status === 503);
  return unavailable ? ErrorCode.ToolUnavailable : ErrorCode.ToolBadResponse;
}
