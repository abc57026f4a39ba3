import { AuthOptions } from '../auth-options';
import { DevSigningKey, newDevSigningKeyPem } from './dev-signing-key';

const options = (signingKeyPem?: string): AuthOptions => ({
  issuer: 'urn:test',
  audience: 'test',
  devIssuer: { clientId: 'c', clientSecret: 's', scopes: [], tokenTtlSeconds: 60, signingKeyPem },
});

describe('DevSigningKey', () => {
  it('two processes given one key publish the same key under the same kid', () => {
    const pem = newDevSigningKeyPem();
    const [a, b] = [new DevSigningKey(options(pem)), new DevSigningKey(options(pem))];
    expect(a.kid).toMatch(/^[0-9a-f]{16}$/);
    expect(b.kid).toBe(a.kid);
    expect(b.jwks()).toEqual(a.jwks());
  });

  it('without a key, each boot makes its own', () => {
    const [a, b] = [new DevSigningKey(options()), new DevSigningKey(options())];
    expect(b.kid).not.toBe(a.kid);
    expect(b.jwks().keys[0].n).not.toBe(a.jwks().keys[0].n);
  });
});
