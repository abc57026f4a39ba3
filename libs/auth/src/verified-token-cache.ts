import { decode } from 'jsonwebtoken';
import type { Principal } from './scopes';

const MAX_ENTRIES = 5_000;
/** Re-verify at least this often, so a key removed from the JWKS or the one-day token age limit applies soon. */
const MAX_AGE_MS = 5 * 60_000;

/**
 * Tokens already verified (signature, issuer, audience, time), kept until they expire (at most 5 minutes), so a
 * client's next requests skip the RS256/ES256 verification. Only exact token strings hit; the oldest entries go first.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { principal: Principal; expiresAt: number }>();

  get(token: string): Principal | undefined {
    const hit = this.entries.get(token);
    if (!hit) return undefined;
    if (Date.now() >= hit.expiresAt) {
      this.entries.delete(token);
      return undefined;
    }
    return hit.principal;
  }

  remember(token: string, principal: Principal): void {
    const exp = (decode(token) as { exp?: number } | null)?.exp;
    if (!exp) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { principal, expiresAt: Math.min(exp * 1000, Date.now() + MAX_AGE_MS) });
  }
}
