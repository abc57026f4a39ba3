import { Injectable } from '@nestjs/common';
import { createPublicKey, generateKeyPairSync, KeyObject, randomBytes } from 'node:crypto';

/**
 * The development issuer's RS256 key pair, made at boot. Tokens die with the process, which is what a
 * laptop wants; production validates tokens of a real identity provider and never loads this.
 */
@Injectable()
export class DevSigningKey {
  readonly kid = randomBytes(8).toString('hex');
  readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor() {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = createPublicKey(pair.privateKey);
  }

  jwks(): { keys: Record<string, unknown>[] } {
    return { keys: [{ ...this.publicKey.export({ format: 'jwk' }), kid: this.kid, alg: 'RS256', use: 'sig' }] };
  }
}
