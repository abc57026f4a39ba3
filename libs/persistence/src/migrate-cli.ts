#!/usr/bin/env node
/**
 * `npx external-tests-migrate [--schema <name>]`: applies this package's migrations to DATABASE_URL (the
 * package's bin, for hosts that migrate in a deploy step rather than when PersistenceModule starts).
 */
import { runMigrations } from './migration-runner';

const USAGE = 'Usage: DATABASE_URL=postgresql://… external-tests-migrate [--schema <name> | --schema=<name>]';

/** `--schema x` or `--schema=x` (else EXTERNAL_TESTS_SCHEMA); anything else is a usage error, never a silent default. */
function schemaArgument(args: string[]): string | undefined {
  let schema = process.env.EXTERNAL_TESTS_SCHEMA || undefined;
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s, 2);
    const value = inline ?? args[++i];
    if (flag !== '--schema' || !value || value.startsWith('--')) throw new Error(USAGE);
    schema = value;
  }
  return schema;
}

async function main(): Promise<void> {
  const clientUrl = process.env.DATABASE_URL;
  let schema: string | undefined;
  try {
    schema = schemaArgument(process.argv.slice(2));
    if (!clientUrl) throw new Error(`Set DATABASE_URL to the database to migrate.\n${USAGE}`);
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 2;
    return;
  }
  const applied = await runMigrations({ clientUrl, schema });
  console.log(`Applied ${applied} migration(s) in schema ${schema ?? '(the server default, usually public)'}`);
}

main().catch((e: unknown) => {
  // The message only: a connection error's stack names nothing useful, and the URL may carry a password.
  console.error(`Migration failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
