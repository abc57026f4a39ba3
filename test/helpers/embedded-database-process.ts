/**
 * One Jest worker's database when no PostgreSQL answers at TEST_DATABASE_URL: an in-memory embedded database
 * (what `npm start` runs), migrated, on a free loopback port. Global setup starts one of these processes per
 * worker (a PGlite instance holds one database) and reads `ready <url>` from stdout; the process ends when
 * its stdin closes (teardown, or Jest dying) or on SIGTERM.
 */
import { MikroORM } from '@mikro-orm/postgresql';
import { applyMigrations, ormOptions } from '@external-tests/persistence';
import { startEmbeddedDatabase } from '../../src/dev/embedded-database';

async function main(): Promise<void> {
  // Two app instances (pool 5 each), the test's own reads and a CLI child process fit.
  const db = await startEmbeddedDatabase({ port: 0, maxConnections: 30 });
  const orm = await MikroORM.init(ormOptions({ clientUrl: db.clientUrl, poolMax: 2 }));
  try {
    await applyMigrations(orm);
  } finally {
    await orm.close(true);
  }
  let closing: Promise<void> | undefined;
  const stop = () => (closing ??= db.close().finally(() => process.exit(0)));
  process.stdin.on('end', () => void stop());
  process.stdin.resume();
  process.once('SIGTERM', () => void stop());
  process.stdout.write(`ready ${db.clientUrl}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`embedded test database failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
