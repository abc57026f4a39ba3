/**
 * What every bench harness gives the app it measures: the tools' accounts (the sandboxes are started with them), the
 * OAuth client the load authenticates as, the environment, and that client's token.
 */
import { newDevSigningKeyPem } from '@external-tests/auth';
import { edulasticSandboxEnv, masteryTrackSandboxEnv } from '../src/cli/sandbox-env';

export const MT_API_KEY = 'bench-mt-api-key';
export const MT_EMAIL = 'integrator@example.org';
export const EDU_USER = 'teacher@example.org';
export const EDU_PASSWORD = 'teacher-password-1';
const CLIENT = { id: 'bench-client', secret: 'bench-secret-value' };

/** The app's environment on `databaseUrl`, with the tools at the sandboxes' URLs. */
export function benchAppEnv(
  databaseUrl: string,
  sandboxes: { masteryTrack: { url: string }; edulastic: { url: string } },
): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: '10',
    VENDOR_MAX_CONCURRENCY: '256',
    VENDOR_TIMEOUT_MS: '10000',
    // The benchmark is one OAuth client sending thousands of requests a second: no per-client rate limit.
    RATE_LIMIT_PER_MINUTE: '1000000',
    AUTH_DEV_ISSUER: 'true',
    AUTH_DEV_CLIENT_ID: CLIENT.id,
    AUTH_DEV_CLIENT_SECRET: CLIENT.secret,
    // One key for every app process of a run: the harness's token is valid at each.
    AUTH_DEV_SIGNING_KEY: newDevSigningKeyPem(),
    ...masteryTrackSandboxEnv(sandboxes.masteryTrack.url, { apiKey: MT_API_KEY, email: MT_EMAIL }),
    ...edulasticSandboxEnv(sandboxes.edulastic.url, { username: EDU_USER, password: EDU_PASSWORD }),
  };
}

/** The bench client's access token from the app's development issuer. */
export async function fetchToken(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/oauth2/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  const body = (await res.json()) as { access_token?: string };
  if (res.status !== 200 || !body.access_token)
    throw new Error(`token request failed: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}
