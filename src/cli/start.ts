/**
 * `npm start`: the service with everything it needs on one laptop (embedded database, tool sandboxes,
 * development token issuer, demo data) and the way in printed. `--reset` (`npm run reset`) deletes what earlier
 * runs kept (embedded database, sandbox state) first.
 */
import '../tracing';
import { STOP_SIGNALS } from '../stop-signals';
import { startDevStack } from './dev-stack';

async function main(): Promise<void> {
  const stack = await startDevStack({}, { fresh: process.argv.includes('--reset') });
  const { env, baseUrl, sandboxes } = stack;
  const lines = [
    '',
    `  External test assignments is running at ${baseUrl}`,
    `  Swagger UI     ${baseUrl}/docs   (OpenAPI: ${baseUrl}/docs-json)`,
    env.AUTH_DEV_ISSUER
      ? `  Demo client    ${env.AUTH_DEV_CLIENT_ID} / ${env.AUTH_DEV_CLIENT_ID === 'demo-client' ? env.AUTH_DEV_CLIENT_SECRET : '(AUTH_DEV_CLIENT_SECRET)'}  — Authorize in Swagger UI, or:`
      : '  Tokens         from your identity provider (AUTH_JWKS_URL)',
    env.AUTH_DEV_ISSUER
      ? `                 curl -s -u ${env.AUTH_DEV_CLIENT_ID}:${env.AUTH_DEV_CLIENT_ID === 'demo-client' ? env.AUTH_DEV_CLIENT_SECRET : '<secret>'} -d grant_type=client_credentials ${baseUrl}/oauth2/token`
      : '',
    stack.embeddedDatabase
      ? `  Database       embedded PostgreSQL (PGlite) at ${env.DATABASE_URL}, data in ${env.EMBEDDED_DB_DIR}`
      : '  Database       DATABASE_URL',
    sandboxes
      ? `  Sandboxes      MasteryTrack ${sandboxes.masteryTrack.url}   Edulastic ${sandboxes.edulastic.url}/api`
      : '  Sandboxes      off',
    sandboxes
      ? `                 state in ${env.SANDBOX_STATE_DIR} (${sandboxes.masteryTrack.restored || sandboxes.edulastic.restored ? 'continued from the last run' : 'new'}); test links open the student pages`
      : '',
    stack.wiped.length > 0
      ? `  Fresh start    deleted ${stack.wiped.join(', ')}`
      : stack.embeddedDatabase
        ? '  Start fresh    npm run reset  (deletes the embedded database and the sandbox state, then starts)'
        : '',
    env.SEED_DEMO_DATA
      ? '  Demo data      students student-mt-1, student-edu-1; lessons lesson-{mt,edu}-{test-out,placement,unit-test}'
      : '',
    '',
  ].filter((l) => l !== '');
  process.stdout.write(lines.join('\n') + '\n\n');
  // Ctrl-C reaches this process twice: from the terminal and forwarded by npm. A second signal is ignored while the
  // stack closes (with `once`, Node's default would end the process mid-close: the embedded database unclosed).
  // SIGQUIT still ends it at once. "Stopped." is said once everything it started has closed, its ports free.
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void stack.close().finally(() => {
      process.stdout.write('\n  Stopped.\n');
      process.exit(0);
    });
  };
  for (const signal of STOP_SIGNALS) process.on(signal, stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`Failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
