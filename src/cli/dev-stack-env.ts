import { validateEnv } from '../config/validate-env';
import { edulasticSandboxEnv, masteryTrackSandboxEnv, SANDBOX_EDU, SANDBOX_MT } from './sandbox-env';

/**
 * The configuration of a command run next to `npm start` (seed, reconcile): without DATABASE_URL it works on
 * that stack's embedded database, token issuer and tool sandboxes, at their configured ports. With
 * DATABASE_URL it is the environment's, untouched.
 */
export function devStackEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  if (env.DATABASE_URL) return env;
  const pre = validateEnv({ AUTH_DEV_ISSUER: 'true', ...env });
  return {
    AUTH_DEV_ISSUER: 'true',
    DATABASE_URL: `postgresql://postgres@127.0.0.1:${pre.EMBEDDED_DB_PORT}/postgres`,
    DATABASE_PREPARED_STATEMENTS: 'false',
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '0',
    ...(pre.MASTERY_TRACK_BASE_URL
      ? {}
      : masteryTrackSandboxEnv(`http://127.0.0.1:${pre.SANDBOX_MASTERY_TRACK_PORT}`, SANDBOX_MT)),
    ...(pre.EDULASTIC_BASE_URL
      ? {}
      : edulasticSandboxEnv(`http://127.0.0.1:${pre.SANDBOX_EDULASTIC_PORT}`, SANDBOX_EDU)),
    ...env,
  };
}
