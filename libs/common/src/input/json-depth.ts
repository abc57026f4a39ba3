import { BadRequestException } from '@nestjs/common';

/** Deeper than any body this service takes (OneRoster metadata included); far below what recursion survives. */
export const MAX_JSON_DEPTH = 64;

/**
 * How deeply a JSON text nests arrays and objects, read from the raw bytes before anything parses or walks it:
 * brackets inside strings do not count, and multi-byte UTF-8 never contains these ASCII bytes.
 */
export function jsonDepthExceeds(raw: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * body-parser `verify` hook: a JSON body nested deeper than `max` is a 400 before it is parsed, so no validation
 * pipe, transformer or serializer ever recurses through it.
 */
export function refuseDeepJson(max = MAX_JSON_DEPTH): (req: unknown, res: unknown, raw: Buffer) => void {
  return (_req, _res, raw) => {
    if (jsonDepthExceeds(raw, max)) throw new BadRequestException(`JSON nested deeper than ${max} levels`);
  };
}
