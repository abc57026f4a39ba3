#!/usr/bin/env node
/**
 * `npx external-tests-migrate [--schema <name>]`: applies this package's migrations to DATABASE_URL (the
 * package's bin, for hosts that migrate in a deploy step rather than when PersistenceModule starts).
 */
import { runMigrations } from './migration-runner';

async function main(): Promise<void> {
  const clientUrl = process.env.DATABASE_URL;
  const at = process.argv.indexOf('--schema');
  const schema = at > 0 ? process.argv[at + 1] : process.env.EXTERNAL_TESTS_SCHEMA;
  if (!clientUrl) {
    console.error('Set DATABASE_URL (postgresql://…) to the database to migrate.');
    process.exitCode = 2;
    return;
  }
  const applied = await runMigrations({ clientUrl, schema: schema || undefined });
  console.log(`Applied ${applied} migration(s)${schema ? ` in schema ${schema}` : ''}`);
}

main().catch((e: unknown) => {
  // The message only: a connection error's stack names nothing useful, and the URL may carry a password.
  console.error(`Migration failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
