import { AppError } from '../errors/app-error';

/**
 * A query parameter as a base-10 integer in [min, max]: `0x10`, `1e3`, `+5`, ` 5` or `5.0` are 400, not numbers
 * JavaScript happens to read. Absent or empty = the fallback.
 */
export function decimalInteger(name: string, raw: unknown, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = typeof raw === 'string' && /^-?\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw AppError.invalid(`${name} must be an integer from ${min} to ${max}, in decimal digits`, name);
  }
  return n;
}
