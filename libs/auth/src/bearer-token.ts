/** RFC 6750 §2.1: `Bearer` (any case), one or more spaces, a b64token — and nothing after it. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** The bearer token of an Authorization header, or undefined when the header is absent or not exactly one token. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return authorization === undefined ? undefined : (BEARER.exec(authorization)?.[1] ?? undefined);
}

/** The header names the Bearer scheme and carries something: a token was sent, even if malformed. */
export function claimsBearer(authorization: string | undefined): boolean {
  return /^Bearer\s+\S/i.test(authorization ?? '');
}
