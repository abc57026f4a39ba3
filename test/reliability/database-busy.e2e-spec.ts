import { uid } from '../helpers/fixtures';
import { createTestApp, TestApp } from '../helpers/test-app';
import { onEmbeddedDatabase } from '../helpers/test-database';

const ORGS = '/ims/oneroster/rostering/v1p2/orgs';

/** Polls until `read` gives a value (the database state another connection is waiting for). */
async function waitFor<T>(read: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a database that refuses for a moment', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await createTestApp();
    token = await t.token();
  });
  afterAll(() => t.close());

  // The embedded database has one session: nothing ever waits for another transaction there.
  const onPostgres = onEmbeddedDatabase() ? it.skip : it;

  onPostgres(
    'a deadlock with another transaction is a 503 BUSY with Retry-After, nothing of the write is kept, and the retry succeeds',
    async () => {
      const id = uid('org-busy');
      const put = (name: string) =>
        t
          .http()
          .put(`${ORGS}/${id}`)
          .set('Authorization', `Bearer ${token}`)
          .send({ org: { sourcedId: id, status: 'active', name, type: 'school' } });
      await put('Before').expect(201);

      const knex = t.orm.em.fork().getConnection().getKnex();
      const other = await knex.transaction();
      let answer: Awaited<ReturnType<typeof put>>;
      try {
        // This side checks for a deadlock only after 20 s, so PostgreSQL breaks it by rolling back the request's.
        await other.raw(`set local deadlock_timeout = '20s'`);
        await other.raw('select 1 from orgs where sourced_id = ? for update', [id]);
        const pending = put('After').then((res) => res);
        // The write waits for the row while holding the lock it took first (every org write takes one); asking for
        // that lock closes the circle.
        const held = await waitFor<{ classid: number; objid: number }>(async () => {
          const { rows } = await other.raw<{ rows: { classid: number; objid: number }[] }>(
            `select l.classid, l.objid from pg_locks l
             where l.locktype = 'advisory' and l.granted and l.pid <> pg_backend_pid()
               and l.database = (select oid from pg_database where datname = current_database())
               and exists (select 1 from pg_locks w where w.pid = l.pid and not w.granted)`,
          );
          return rows.at(0);
        });
        // (knex sends a statement once something waits for it.)
        const locked = other
          .raw('select pg_advisory_xact_lock((?::bigint << 32) | ?::bigint)', [held.classid, held.objid])
          .then(() => undefined);
        answer = await pending;
        await locked;
      } finally {
        await other.rollback();
      }

      expect({ status: answer.status, retryAfter: answer.headers['retry-after'], body: answer.body }).toEqual({
        status: 503,
        retryAfter: '1',
        body: {
          imsx_codeMajor: 'failure',
          imsx_severity: 'error',
          imsx_description: 'The service is busy; retry after Retry-After seconds',
          imsx_CodeMinor: {
            imsx_codeMinorField: [
              { imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: 'server_busy' },
            ],
          },
          imsx_error_details: [{ code: 'BUSY' }],
        },
      });
      const read = () => t.http().get(`${ORGS}/${id}`).set('Authorization', `Bearer ${token}`).expect(200);
      expect((await read()).body.org.name).toBe('Before');
      await put('After').expect(201);
      expect((await read()).body.org.name).toBe('After');
    },
    30_000,
  );
});
