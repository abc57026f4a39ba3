/**
 * The error a request was answered with: its code. Not its description, which may quote what the client sent (a body
 * that is not JSON), a tool's own text or ids, which the logs keep out (personal data).
 */
export interface AnsweredError {
  code: string;
}

// Keyed by the request object: requests keep one shape (no property added on the error path), and an entry goes
// with its request.
const answered = new WeakMap<object, AnsweredError>();

/** Recorded by the imsx filter, so the request's access log line can name the error (request-scope.ts). */
export function recordAnsweredError(req: object, error: AnsweredError): void {
  answered.set(req, error);
}

export function answeredError(req: object): AnsweredError | undefined {
  return answered.get(req);
}
