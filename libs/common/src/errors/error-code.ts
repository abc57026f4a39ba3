/**
 * What went wrong, in the service's own terms. Services and tools throw these; only the global filter turns them
 * into HTTP (`error-responses.ts`, one exhaustive table).
 */
export enum ErrorCode {
  /** The request is malformed: bad JSON, a missing or mistyped field, an unknown field, a bad parameter. */
  InvalidRequest = 'INVALID_REQUEST',
  /** No valid bearer token. */
  Unauthenticated = 'UNAUTHENTICATED',
  /** The token lacks the scope the operation needs. */
  InsufficientScope = 'INSUFFICIENT_SCOPE',
  /** An org-restricted token on an endpoint that serves the whole tenant. */
  OrgRestricted = 'ORG_RESTRICTED',
  /** The student, lesson, course, attempt or object does not exist (or is outside the caller's org). */
  NotFound = 'NOT_FOUND',
  /** Another request is working on this right now (the attempt, its class or login, an Idempotency-Key). */
  InProgress = 'IN_PROGRESS',
  /** The caller's data cannot be used as it is: not a student, no email, not an external test, a missing reference… */
  InvalidData = 'INVALID_DATA',
  /** The lesson's toolProvider is not one this service serves. */
  UnsupportedTool = 'UNSUPPORTED_TOOL',
  /** applicationName names no configured account of the tool. */
  UnknownApplication = 'UNKNOWN_APPLICATION',
  /** The tool refused the test or the assignment (its reason is in the description). */
  ToolRefused = 'TOOL_REFUSED',
  /** The test is held by another of the student's lessons (or made outside this service) and no other is free. */
  TestHeld = 'TEST_HELD',
  /** No test assignment was made for this student and lesson. */
  NoAssignment = 'NO_ASSIGNMENT',
  /** The current attempt is not finished, so no new one can start. */
  AttemptNotCompleted = 'ATTEMPT_NOT_COMPLETED',
  /** The Idempotency-Key was used with another request. */
  IdempotencyKeyReused = 'IDEMPOTENCY_KEY_REUSED',
  /** Too many requests from this client. */
  RateLimited = 'RATE_LIMITED',
  /** The tool answered something we cannot use. */
  ToolBadResponse = 'TOOL_BAD_RESPONSE',
  /** The tool is unreachable, overloaded, not configured, or its circuit is open. */
  ToolUnavailable = 'TOOL_UNAVAILABLE',
  /** The tool did not answer in time. */
  ToolTimeout = 'TOOL_TIMEOUT',
  /**
   * This service's database could not serve the request just now (a concurrent transaction won a conflict, a lock,
   * no free connection, a restart); nothing of the request was kept, and the same request may succeed shortly.
   */
  Busy = 'BUSY',
  /** A fault of this service. */
  Internal = 'INTERNAL',
}
