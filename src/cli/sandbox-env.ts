/** Sandbox accounts (known only to the local sandboxes). */
export const SANDBOX_MT = { apiKey: 'sandbox-mastery-track-key', email: 'integrator@sandbox.local' };
export const SANDBOX_EDU = { username: 'service-teacher@sandbox.local', password: 'sandbox-teacher-password' };

/** The configuration that points the tool clients at running sandboxes (dev stack, tests, benchmark). */
export function masteryTrackSandboxEnv(
  url: string,
  account: { apiKey: string; email: string },
): Record<string, string> {
  return { MASTERY_TRACK_BASE_URL: url, MASTERY_TRACK_API_KEY: account.apiKey, MASTERY_TRACK_EMAIL: account.email };
}

export function edulasticSandboxEnv(
  url: string,
  account: { username: string; password: string },
): Record<string, string> {
  return {
    EDULASTIC_BASE_URL: `${url}/api`,
    EDULASTIC_APP_URL: url,
    EDULASTIC_USERNAME: account.username,
    EDULASTIC_PASSWORD: account.password,
  };
}
