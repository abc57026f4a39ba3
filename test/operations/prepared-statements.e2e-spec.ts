import { RequestContext, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { SeedLoader } from '@external-tests/oneroster';
import { usePreparedStatements, runPrepared } from '@external-tests/persistence';
import { startEmbeddedTestDatabases } from '../helpers/embedded-test-databases';
import { uid } from '../helpers/fixtures';
import { embeddedDatabaseEnv, freshDatabaseUrl } from '../helpers/test-database';
import { createTestApp, TestApp } from '../helpers/test-app';

/**
 * runPrepared (the request path's statements): a named prepared statement on the connection `em` runs on — the
 * transaction's inside one (it sees the transaction's own writes and never asks the pool for a second connection,
 * which the transaction guard would refuse), a pooled one outside —, counted by the statement hook, with the
 * ORM's exceptions.
 */
describe('prepared statements', () => {
  let t: TestApp;
  let recording: string[] = [];
  const em = (): EntityManager => t.orm.em.fork();

  beforeAll(async () => {
    t = await createTestApp({}, { hooks: { onQuery: (sql) => recording.push(sql) } });
  });
  afterAll(() => t.close());

  const SELECT = 'select attempt from tool_assignments where result_sourced_id = ?';

  it('is prepared once on its connection and named after its text; values are typed parameters', async () => {
    recording = [];
    const odd = `it's ? not a placeholder when it is a value ${randomUUID()}`;
    const sql = `select ?::text v, ?::int + 1 n -- ${randomUUID()}`;
    // One transaction: one connection, whose prepared statements can be read back.
    const prepared = await em().transactional(async (trx) => {
      const [row] = await runPrepared<{ v: string; n: number }>(trx, sql, [odd, 41]);
      expect(row).toEqual({ v: odd, n: 42 });
      expect(await runPrepared(trx, sql, ['again', 1])).toEqual([{ v: 'again', n: 2 }]);
      return trx.execute<{ name: string }[]>('select name from pg_prepared_statements where statement = ?', [
        sql.replace('?::text', '$1::text').replace('?::int', '$2::int'),
      ]);
    });
    expect(prepared).toHaveLength(1);
    expect(prepared[0].name).toMatch(/^et_[0-9a-f]{20}$/);
    expect(recording.filter((s) => s === sql)).toHaveLength(2);
  });

  it("inside a transaction it runs on the transaction's connection and sees its uncommitted writes", async () => {
    const id = `prep-${randomUUID()}`;
    const seen = await em()
      .transactional(async (trx) => {
        await trx.execute(
          `with r as (insert into assessment_results (sourced_id, line_item_sourced_id, student_sourced_id)
                      values (?, 'li', 's-' || gen_random_uuid()) returning sourced_id)
           insert into tool_assignments (result_sourced_id, lesson_sourced_id, student_sourced_id, attempt, state)
           select sourced_id, 'l', 's', 3, 'open' from r`,
          [id],
        );
        const rows = await runPrepared<{ attempt: number }>(trx, SELECT, [id]);
        throw Object.assign(new Error('roll back'), { rows });
      })
      .catch((e: { rows?: unknown }) => e.rows);
    expect(seen).toEqual([{ attempt: 3 }]);
    // Rolled back: it was the transaction's row, on the transaction's connection.
    expect(await runPrepared(em(), SELECT, [id])).toEqual([]);
  });

  it("fails with the ORM's exception and leaves the connection usable", async () => {
    const id = `prep-${randomUUID()}`;
    const insert = `with v as (select ?::text id),
                         r as (insert into assessment_results (sourced_id, line_item_sourced_id, student_sourced_id)
                               select id, 'li', id from v returning sourced_id)
                    insert into tool_assignments (result_sourced_id, lesson_sourced_id, student_sourced_id, attempt, state)
                    select sourced_id, ?, 's', 1, 'open' from r`;
    await runPrepared(em(), insert, [id, `l-${id}`]);
    await expect(runPrepared(em(), insert, [id, `l-${id}`])).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    expect(
      await runPrepared(em(), 'select count(*)::int n from tool_assignments where result_sourced_id = ?', [id]),
    ).toEqual([{ n: 1 }]);
  });
});

/**
 * The embedded database (`npm start`) serves every connection from one session, so a statement name prepared on
 * one connection already exists for the next: there (DATABASE_PREPARED_STATEMENTS=false, which npm start sets)
 * statements go through em.execute. The embedded database suite runs the whole flow that way.
 */
describe('prepared statements on the embedded database', () => {
  let db: Awaited<ReturnType<typeof startEmbeddedTestDatabases>>;
  let t: TestApp;
  let recording: string[] = [];

  beforeAll(async () => {
    db = await startEmbeddedTestDatabases(1);
    t = await createTestApp(
      { DATABASE_URL: db.urls[0], ...embeddedDatabaseEnv(true) },
      { hooks: { onQuery: (sql) => recording.push(sql) } },
    );
  }, 90_000);
  afterAll(async () => {
    await t?.close();
    await db?.stop();
  });

  /** The same statement on several pooled connections at once. */
  const onSeveralConnections = (sql: string) =>
    Promise.all(Array.from({ length: 4 }, (_, i) => runPrepared<{ n: number }>(t.orm.em.fork(), sql, [i])));

  it('off, the same statement runs on every connection, through em.execute (counted once each)', async () => {
    const sql = `select ?::int n -- ${randomUUID()}`;
    recording = [];
    const rows = await onSeveralConnections(sql);
    expect(rows.map(([r]) => r.n)).toEqual([0, 1, 2, 3]);
    expect(recording).toHaveLength(4);
    expect(recording.every((s) => s.startsWith('select ?::int n'))).toBe(true);
  });

  it('on, the second connection to prepare a name fails there (why npm start turns them off)', async () => {
    usePreparedStatements(t.orm.config, true);
    try {
      await expect(onSeveralConnections(`select ?::int n -- ${randomUUID()}`)).rejects.toThrow(/already exists/);
    } finally {
      usePreparedStatements(t.orm.config, false);
    }
  });
});

/**
 * A migration may add a column while running instances hold statements prepared: a prepared statement whose result
 * names the table's columns with `*` then fails on every connection that prepared it ("cached plan must not change
 * result type"). The PUT's row lock reads the entity's columns by name, so its result keeps its shape.
 */
describe('prepared statements across a migration that adds a column', () => {
  let t: TestApp;
  let token: string;
  const ORG = uid('org');

  beforeAll(async () => {
    t = await createTestApp({ DATABASE_URL: await freshDatabaseUrl('prepared'), DATABASE_POOL_MAX: '2' });
    token = await t.token();
  });
  afterAll(() => t?.close());

  /** Four users written at once: every pooled connection prepares the PUT's statements. */
  const putUsers = () =>
    Promise.all(
      Array.from({ length: 4 }, () => {
        const id = uid('user');
        return t
          .http()
          .put(`/ims/oneroster/rostering/v1p2/users/${id}`)
          .set('Authorization', `Bearer ${token}`)
          .send({
            user: {
              sourcedId: id,
              status: 'active',
              enabledUser: true,
              givenName: 'Ada',
              familyName: 'Lovelace',
              roles: [{ roleType: 'primary', role: 'student', org: { sourcedId: ORG } }],
            },
          })
          .then((r) => r.status);
      }),
    );

  it('writes go on after the column is added', async () => {
    await t
      .http()
      .put(`/ims/oneroster/rostering/v1p2/orgs/${ORG}`)
      .set('Authorization', `Bearer ${token}`)
      .send({ org: { sourcedId: ORG, status: 'active', name: 'School', type: 'school' } })
      .expect(201);
    expect(await putUsers()).toEqual([200, 200, 200, 200]);
    // A PUT of a stored user locks it with the prepared statement too.
    await t.orm.em.fork().getConnection().execute('alter table users add column added_by_a_migration text');
    expect(await putUsers()).toEqual([200, 200, 200, 200]);
    const [stored] = await t.orm.em
      .fork()
      .getConnection()
      .execute<{ n: number }[]>('select count(*)::int n from users');
    expect(stored.n).toBeGreaterThanOrEqual(8);
  });
});

/**
 * A PUT's stored object is read detached even when the caller's context already manages it (a seed document that
 * writes one object twice, in one RequestContext): its write is the one update, never a second one from the
 * context's flush.
 */
describe('a stored object written twice in one context', () => {
  let t: TestApp;
  let recording: string[] = [];

  beforeAll(async () => {
    t = await createTestApp({}, { hooks: { onQuery: (sql) => recording.push(sql) } });
  });
  afterAll(() => t?.close());

  it('is updated once by its second write', async () => {
    const org = uid('org');
    const user = (givenName: string) => ({
      sourcedId: `user-twice-${org}`,
      status: 'active',
      enabledUser: true,
      givenName,
      familyName: 'Twice',
      roles: [{ roleType: 'primary', role: 'student', org: { sourcedId: org } }],
    });
    const first = user('First');
    recording = [];
    await RequestContext.create(t.orm.em, () =>
      t.app.get(SeedLoader).load({
        orgs: [{ sourcedId: org, status: 'active', name: 'School', type: 'school' }],
        users: [first, { ...first, givenName: 'Second' }],
      }),
    );
    expect(recording.filter((s) => /^update "users"/.test(s))).toHaveLength(1);
    const [row] = await t.orm.em
      .fork()
      .getConnection()
      .execute<{ given_name: string }[]>('select given_name from users where sourced_id = ?', [first.sourcedId]);
    expect(row.given_name).toBe('Second');
  });
});
