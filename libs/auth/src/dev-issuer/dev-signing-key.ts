import { Inject, Injectable } from '@nestjs/common';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { AUTH_OPTIONS, AuthOptions } from '../auth-options';

/**
 * The development issuer's RS256 key: the configured one (a clustered start hands its workers one key, so a token
 * from one worker is valid at all), else one made at boot, whose tokens die with the process, which is what a
 * laptop wants. Production validates tokens of a real identity provider and never loads this.
 */
@Injectable()
export class DevSigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor(@Inject(AUTH_OPTIONS) options: AuthOptions) {
    const pem = options.devIssuer?.signingKeyPem;
    this.privateKey = pem ? createPrivateKey(pem) : generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    this.publicKey = createPublicKey(this.privateKey);
    // Named by the key itself: processes sharing a key publish the same kid.
    this.kid = createHash('sha256')
      .update(this.publicKey.export({ format: 'der', type: 'spki' }))
      .digest('hex')
      .slice(0, 16);
  }

  jwks(): { keys: Record<string, unknown>[] } {
    return { keys: [{ ...this.publicKey.export({ format: 'jwk' }), kid: this.kid, alg: 'RS256', use: 'sig' }] };
  }
}

/** A fresh PKCS#8 PEM for `signingKeyPem` (what a clustered primary hands its workers). */
export function newDevSigningKeyPem(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();
}
