import { JwksClient } from 'jwks-rsa';

const MAX_AGE_MS = 10 * 60_000;

/**
 * The identity provider's whole key set, cached as one. A token whose `kid` is not in the set triggers a
 * refetch at most once per cooldown (default 30 s), so a flood of made-up kids costs one fetch per window, and that same fetch
 * brings in a freshly rotated key. The set is refreshed after 10 minutes; a failed refresh keeps the old set.
 */
export class JwksKeySet {
  private keys = new Map<string, string>();
  private fetchedAt = 0;
  private inflight?: Promise<void>;

  constructor(
    private readonly client: JwksClient,
    private readonly cooldownMs = 30_000,
  ) {}

  async key(kid: string): Promise<string | undefined> {
    const age = Date.now() - this.fetchedAt;
    if (age >= MAX_AGE_MS || (!this.keys.has(kid) && age >= this.cooldownMs)) await this.refresh();
    return this.keys.get(kid);
  }

  private refresh(): Promise<void> {
    this.inflight ??= this.client
      .getSigningKeys()
      .then((keys) => {
        this.keys = new Map(keys.filter((k) => k.kid).map((k) => [k.kid, k.getPublicKey()]));
      })
      .catch(() => undefined) // keep serving the last good set
      .finally(() => {
        this.fetchedAt = Date.now();
        this.inflight = undefined;
      });
    return this.inflight;
  }
}
