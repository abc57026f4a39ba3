import type { Principal } from '@external-tests/auth';

/**
 * Whose idempotency records a request may see: everything that shapes what the caller is allowed to do and to
 * be told. The OAuth client and its org restriction are part of the scope, so a token restricted to org B never
 * meets a record written for org A (or for the unrestricted client). Scopes are not: the guards check them on
 * every request, replays included, before IdempotentExecution runs, and they do not change these endpoints' answers.
 */
export function authorityScope(principal: Principal | undefined): string {
  return JSON.stringify([principal?.clientId ?? 'anonymous', principal?.org ?? null]);
}
