import type { Request } from 'express';

export type JsonObject = Record<string, unknown>;

/** The parsed JSON body as an object; anything else (no body, an array, a scalar) reads as empty. */
export function bodyOf(req: Request): JsonObject {
  const body: unknown = req.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as JsonObject) : {};
}

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Accepts 3 and "3" (clients send grade_rank either way); anything else is undefined. */
export function toInteger(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
}

/** A query parameter that was given once; repeated parameters arrive as arrays and are rejected by callers. */
export function singleQueryValue(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
