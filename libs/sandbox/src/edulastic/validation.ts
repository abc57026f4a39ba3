import type { JsonObject } from '../body';

/** The first required field that is missing or empty, worded as Edulastic does: "<field> is required". */
export function missingField(body: JsonObject, fields: readonly string[]): string | undefined {
  const missing = fields.find((f) => {
    const v = body[f];
    return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
  });
  return missing && `${missing} is required`;
}

export const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
