import { createHmac, generateKeyPairSync, KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestSigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface TestJwks {
  /** Full URL of the key set, e.g. http://127.0.0.1:40123/jwks.json */
  url: string;
  rsa: TestSigningKey;
  ec: TestSigningKey;
  /** How many times the key set has been fetched. */
  fetches(): number;
  /** Publishes one more RSA key (an identity provider rotating keys) and returns it. */
  addRsaKey(kid: string): TestSigningKey;
  close(): Promise<void>;
}

export const JWKS_PATH = '/jwks.json';

/**
 * A minimal identity-provider key set on 127.0.0.1 (ephemeral port): one RSA key (kid `rsa-1`, RS256) and
 * one EC P-256 key (kid `ec-1`, ES256). Counts JWKS fetches so tests can check the validator caches and
 * rate-limits its refetches.
 */
export async function startTestJwks(): Promise<TestJwks> {
  const rsaPair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ecPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rsa: TestSigningKey = { kid: 'rsa-1', alg: 'RS256', ...rsaPair };
  const ec: TestSigningKey = { kid: 'ec-1', alg: 'ES256', ...ecPair };
  const published = [rsa, ec];
  const jwksBody = () =>
    JSON.stringify({
      keys: published.map((k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, alg: k.alg, use: 'sig' })),
    });

  let fetches = 0;
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === JWKS_PATH) {
      fetches += 1;
      const body = jwksBody();
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end('{"error":"not found"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${JWKS_PATH}`,
    rsa,
    ec,
    fetches: () => fetches,
    addRsaKey(kid) {
      const key: TestSigningKey = { kid, alg: 'RS256', ...generateKeyPairSync('rsa', { modulusLength: 2048 }) };
      published.push(key);
      return key;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned JWT (`alg: none`, empty signature), which `jsonwebtoken.sign` will not produce for us. */
export function unsignedJwt(payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  return `${b64url({ alg: 'none', typ: 'JWT', ...header })}.${b64url(payload)}.`;
}

/**
 * An HS256 JWT over any secret, including an RSA public key PEM (the classic algorithm-confusion attack,
 * which `jsonwebtoken.sign` refuses to produce).
 */
export function hs256Jwt(
  payload: Record<string, unknown>,
  secret: string | Buffer,
  header: Record<string, unknown> = {},
): string {
  const input = `${b64url({ alg: 'HS256', typ: 'JWT', ...header })}.${b64url(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
