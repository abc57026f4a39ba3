import { maxLength } from 'class-validator';
import type { Principal } from './scopes';

/** Clock skew allowed on exp, nbf and iat (RFC 8725 §3.10 leaves it to the deployment; 60 s is customary). */
export const CLOCK_TOLERANCE_SECONDS = 60;

export class InvalidClaims extends Error {
  constructor(reason: string) {
    super(`invalid access token: ${reason}`);
    this.name = 'InvalidClaims';
  }
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && maxLength(v, 255);

/**
 * The principal of a token whose signature, issuer, audience and time window the JWT library has checked.
 * Everything that shapes authorization is read by type, never coerced: a claim of the wrong type is a bad token,
 * not a missing one (an `org` of `["x"]` must not lift the org restriction). `exp` is required (a token without
 * one never dies) and an `iat` in the future is refused (such a token would outlive the one-day age limit).
 */
export function principalFromClaims(
  claims: Record<string, unknown>,
  nowSeconds = Math.floor(Date.now() / 1000),
): Principal {
  const { exp, iat, sub, client_id: clientId, scope, org } = claims;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new InvalidClaims('exp is required');
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw new InvalidClaims('iat is required');
  if (iat > nowSeconds + CLOCK_TOLERANCE_SECONDS) throw new InvalidClaims('iat is in the future');
  if (clientId !== undefined && !isString(clientId)) throw new InvalidClaims('client_id must be a string');
  if (sub !== undefined && !isString(sub)) throw new InvalidClaims('sub must be a string');
  const client = clientId ?? sub;
  if (client === undefined) throw new InvalidClaims('client_id or sub is required');
  if (org !== undefined && !isString(org)) throw new InvalidClaims('org must be a non-empty string');
  return { clientId: client, scopes: new Set(scopesOf(scope)), ...(org !== undefined ? { org } : {}) };
}

/** `scope` as RFC 8693 §4.2 defines it (space-separated string); some providers send an array of strings. */
function scopesOf(scope: unknown): string[] {
  if (scope === undefined) return [];
  if (typeof scope === 'string') return scope.split(' ').filter(Boolean);
  if (Array.isArray(scope) && scope.every((s) => typeof s === 'string')) return scope;
  throw new InvalidClaims('scope must be a string or an array of strings');
}
