import { AppError } from '@external-tests/common';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY = /^[\x21\x23-\x5b\x5d-\x7e]{1,255}$/; // visible ASCII except `"` and `\`

/**
 * The Idempotency-Key value: an RFC 8941 sf-string (`"…"`, as the IETF draft specifies) or the bare token
 * Stripe-style clients send. Anything else (empty, > 255 chars, control characters, several values) is a 400.
 */
export function parseIdempotencyKey(raw: string | string[]): string {
  // Node joins a header sent twice into one value with ", " (a key has no space, so that is never one key).
  if (Array.isArray(raw) || raw.split(', ').filter((k) => KEY.test(unquoted(k))).length > 1) {
    throw AppError.invalid('Send a single Idempotency-Key header', 'Idempotency-Key');
  }
  const value = unquoted(raw);
  if (!KEY.test(value)) {
    throw AppError.invalid(
      'Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID is recommended)',
      'Idempotency-Key',
    );
  }
  return value;
}

const unquoted = (raw: string) =>
  raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1) : raw;
