export const IDEMPOTENCY_DOC =
  'Optional (IETF httpapi draft semantics). A UUID, quoted or not, ≤ 255 chars. A retry with the same key after ' +
  'completion replays the first answer (header `Idempotent-Replayed: true`); the same key with another body → 422; ' +
  'while the first request runs → 409 + Retry-After. Keys are scoped to the OAuth client and its org restriction, ' +
  'kept ≥ 24 h, and replayed only to a caller the operation would answer now.';
