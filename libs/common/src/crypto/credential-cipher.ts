import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface CredentialKey {
  id: string;
  /** 32 raw bytes (AES-256). */
  key: Buffer;
}

/**
 * AES-256-GCM for test credentials at rest. The ciphertext names the key it was sealed with
 * (`v1.<keyId>.<iv>.<tag>.<data>`, base64url parts), so keys can rotate: new writes use the active key,
 * older rows still open with a retired key that stays configured.
 */
export class CredentialCipher {
  private readonly keys = new Map<string, Buffer>();

  constructor(
    private readonly active: CredentialKey,
    retired: CredentialKey[] = [],
  ) {
    for (const k of [active, ...retired]) {
      if (k.key.length !== 32) throw new Error(`Credential key '${k.id}' must be 32 bytes`);
      if (!/^[A-Za-z0-9_-]+$/.test(k.id)) throw new Error(`Credential key id '${k.id}' must be [A-Za-z0-9_-]+`);
      this.keys.set(k.id, k.key);
    }
  }

  get activeKeyId(): string {
    return this.active.id;
  }

  seal(plaintext: string, associatedData = ''): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.active.key, iv);
    cipher.setAAD(Buffer.from(associatedData));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url'));
    return ['v1', this.active.id, ...parts].join('.');
  }

  open(sealed: string, associatedData = ''): string {
    const [version, keyId, iv, tag, data] = sealed.split('.');
    const key = this.keys.get(keyId ?? '');
    if (version !== 'v1' || !key || !iv || !tag || data === undefined) {
      throw new Error('Sealed credential has an unknown format or key');
    }
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }

  sealJson(value: unknown, associatedData = ''): string {
    return this.seal(JSON.stringify(value), associatedData);
  }

  openJson<T>(sealed: string, associatedData = ''): T {
    return JSON.parse(this.open(sealed, associatedData)) as T;
  }
}

/** Parses `id:base64key[,id:base64key…]`. */
export function parseCredentialKeys(spec: string): CredentialKey[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const i = entry.indexOf(':');
      if (i <= 0) throw new Error('Credential keys must look like <id>:<base64 32 bytes>');
      return { id: entry.slice(0, i), key: Buffer.from(entry.slice(i + 1), 'base64') };
    });
}
