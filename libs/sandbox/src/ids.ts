import { randomBytes, randomInt } from 'node:crypto';

/** A MongoDB-style ObjectId: 4-byte timestamp + 8 random bytes, 24 hex characters. */
export function objectId(): string {
  const seconds = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0');
  return seconds + randomBytes(8).toString('hex');
}

export function isObjectId(value: string): boolean {
  return /^[0-9a-f]{24}$/i.test(value);
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** Class codes are short and typed by humans, so ambiguous characters (0/O, 1/I) are left out. */
export function classCode(): string {
  let code = '';
  for (let i = 0; i < 6; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}
