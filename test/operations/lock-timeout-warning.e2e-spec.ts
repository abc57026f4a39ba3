import { Writable } from 'node:stream';
import { Client } from 'pg';
import { createTestApp } from '../helpers/test-app';
import { freshDatabaseUrl, onEmbeddedDatabase } from '../helpers/test-database';

const WARNING =
  /^No lock timeout: lockTimeoutMs is unset or 0 \(service: DATABASE_LOCK_TIMEOUT_MS\) and the server sets none/;

/**
 * DATABASE_LOCK_TIMEOUT_MS=0 leaves the lock timeout to the server, as a transaction-mode pooler needs. Nothing would
 * show that the server sets none until a stuck transaction hangs every request waiting for its rows, so the start
 * says so. Both apps log into one sink: pino keeps one root logger per process (startup-logs.e2e-spec.ts).
 */
// The embedded database is one session for every connection, and keeps the lock_timeout an earlier app set on it.
(onEmbeddedDatabase() ? describe.skip : describe)('start-up warning when nothing bounds a lock wait', () => {
  const chunks: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, cb) => (chunks.push(String(chunk)), cb()) });
  const linesFrom = (first: number) =>
    chunks
      .slice(first)
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { level: number; context?: string; msg?: string; req?: { path?: string } });
  const warningsFrom = (first: number) => linesFrom(first).filter((l) => WARNING.test(l.msg ?? ''));
  const accessLinesFrom = (first: number) => linesFrom(first).filter((l) => l.req?.path === '/no-such-route');

  it('DATABASE_LOCK_TIMEOUT_MS=0 on a server that sets none: one warning, from the persistence layer', async () => {
    const t = await createTestApp(
      { LOG_LEVEL: 'info', DATABASE_LOCK_TIMEOUT_MS: '0' },
      { hooks: { logDestination: sink } },
    );
    await t.close();
    expect(warningsFrom(0)).toEqual([
      expect.objectContaining({ level: 40, context: 'MigrationRunner', msg: expect.stringContaining('alter role') }),
    ]);
  });

  it("none when the database's own setting bounds it (as a role's would behind a pooler), nor at the default", async () => {
    const url = await freshDatabaseUrl('lock_timeout_set');
    const admin = new Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`alter database "${new URL(url).pathname.slice(1)}" set lock_timeout = '2s'`);
    } finally {
      await admin.end();
    }
    const first = chunks.length;
    const bounded = await createTestApp(
      { LOG_LEVEL: 'info', DATABASE_URL: url, DATABASE_LOCK_TIMEOUT_MS: '0' },
      { hooks: { logDestination: sink } },
    );
    const [row] = await bounded.orm.em.getConnection().execute<{ lock_timeout: string }[]>('show lock_timeout');
    // An access line each, so the sink is seen to hold what these apps log.
    await bounded.http().get('/no-such-route').expect(404);
    await bounded.close();
    expect(row.lock_timeout).toBe('2s');
    const byDefault = await createTestApp({ LOG_LEVEL: 'info' }, { hooks: { logDestination: sink } });
    await byDefault.http().get('/no-such-route').expect(404);
    await byDefault.close();
    expect(accessLinesFrom(first)).toHaveLength(2);
    expect(warningsFrom(first)).toEqual([]);
  });
});
