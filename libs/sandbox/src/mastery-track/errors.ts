import type { Response } from 'express';

/** The vendor's codes, plus NOT_FOUND for unknown routes and sandbox-control lookups. */
export type MasteryTrackErrorCode =
  | 'UNAUTHORIZED'
  | 'ACCESS_DENIED'
  | 'MISSING_PARAMETER'
  | 'USER_NOT_FOUND'
  | 'TEST_NOT_FOUND'
  | 'TEST_NOT_SUPPORTED'
  | 'ASSIGNMENT_EXISTS'
  | 'INVALID_PARAMETERS'
  | 'INTERNAL_ERROR'
  | 'NOT_FOUND';

export interface MasteryTrackErrorExtra {
  data?: unknown;
  details?: unknown;
}

/** `{success: false, error, code?, data?|details?}`; the invalidate endpoint omits `code`. */
export function sendError(
  res: Response,
  status: number,
  error: string,
  code?: MasteryTrackErrorCode,
  extra: MasteryTrackErrorExtra = {},
): void {
  res.status(status).json({ success: false, error, ...(code ? { code } : {}), ...extra });
}

const CODE_BY_STATUS: Record<number, MasteryTrackErrorCode> = {
  400: 'INVALID_PARAMETERS',
  401: 'UNAUTHORIZED',
  403: 'ACCESS_DENIED',
  404: 'NOT_FOUND',
  413: 'INVALID_PARAMETERS',
};

/** Error body for statuses no vendor route chose: parser errors, unknown routes, injected faults, control calls. */
export function genericErrorBody(status: number, message: string): unknown {
  const code = status >= 500 ? 'INTERNAL_ERROR' : CODE_BY_STATUS[status];
  return { success: false, error: message, ...(code ? { code } : {}) };
}

const UNAUTHORIZED_BODY = { success: false, error: 'Invalid or expired JWT', code: 'UNAUTHORIZED' };

export function sendUnauthorized(res: Response): void {
  res.status(401).json(UNAUTHORIZED_BODY);
}

/** An injected status without a body: 401 looks like an expired JWT (to exercise refresh), 5xx like a crash. */
export function faultBody(status: number): unknown {
  if (status === 401) return UNAUTHORIZED_BODY;
  return genericErrorBody(status, status >= 500 ? 'Internal server error' : 'Injected fault');
}
