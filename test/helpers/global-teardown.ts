import { Client } from 'pg';
import { EMBEDDED_STOP } from './global-setup';
import { TEST_DATABASE_URL } from './test-database';

/** Stops this run's embedded databases, or drops its databases on the PostgreSQL server. */
export default async function globalTeardown(): Promise<void> {
  const stopEmbedded = (globalThis as Record<symbol, unknown>)[EMBEDDED_STOP] as (() => Promise<void>) | undefined;
  if (stopEmbedded) return stopEmbedded();
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    const mine = await admin.query<{ datname: string }>('select datname from pg_database where datname like $1', [
      `eta_test_${process.env.ETA_TEST_RUN}%`,
    ]);
    for (const { datname } of mine.rows) await admin.query(`drop database if exists "${datname}" with (force)`);
  } finally {
    await admin.end();
  }
}
