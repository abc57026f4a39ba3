import type { Knex } from '@mikro-orm/postgresql';
import { createStudent, uid } from '../helpers/fixtures';
import { createTestApp, TestApp } from '../helpers/test-app';
import { onEmbeddedDatabase } from '../helpers/test-database';
import { waitFor } from '../helpers/wait-for';

const R = '/ims/oneroster/rostering/v1p2';
const G = '/ims/oneroster/gradebook/v1p2';

/**
 * PUTs that create at once, made to race deterministically: a test transaction holds the table in SHARE mode, which
 * lets each PUT read (the object is absent; the student's last attempt is 0) and stops it at its insert. Once every
 * one waits there, the test lets go: one insert goes through and the others meet its unique key.
 */
describe('PUTs that create the same thing at once', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await createTestApp();
    token = await t.token();
  });
  afterAll(() => t.close());

  // The embedded database has one session: its writes never run at once.
  const onPostgres = onEmbeddedDatabase() ? it.skip : it;

  const put = (path: string, body: Record<string, unknown>) =>
    t.http().put(path).set('Authorization', `Bearer ${token}`).timeout(10_000).send(body);

  /** Sends the PUTs while `table` is held, lets go once all of them wait for it, and answers what they answered. */
  async function racing(table: string, puts: (() => PromiseLike<{ status: number; body: any }>)[]) {
    const knex = t.orm.em.fork().getConnection().getKnex();
    const hold: Knex.Transaction = await knex.transaction();
    try {
      await hold.raw(`lock table ${table} in share mode`);
      const answers = Promise.all(puts.map((p) => Promise.resolve(p())));
      await waitFor(async () => {
        await hold.raw('select pg_stat_clear_snapshot()');
        const { rows } = await hold.raw<{ rows: { n: number }[] }>(
          `select count(*)::int n from pg_stat_activity
             where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
        );
        return rows[0].n === puts.length;
      }, `${puts.length} inserts waiting for ${table}`);
      await hold.commit();
      return await answers;
    } finally {
      if (!hold.isCompleted()) await hold.rollback();
    }
  }

  onPostgres('one new user: one PUT creates it, the others find it and replace it; none is refused', async () => {
    const org = uid('org');
    await put(`${R}/orgs/${org}`, {
      org: { sourcedId: org, status: 'active', name: 'Race School', type: 'school' },
    }).expect(201);
    const id = uid('user');
    const user = (givenName: string) => ({
      user: {
        sourcedId: id,
        status: 'active',
        enabledUser: true,
        givenName,
        familyName: 'Race',
        roles: [{ roleType: 'primary', role: 'student', org: { sourcedId: org } }],
      },
    });
    const names = ['A', 'B', 'C', 'D'];
    const answers = await racing(
      'users',
      names.map((n) => () => put(`${R}/users/${id}`, user(n))),
    );
    expect(answers.map((r) => [r.status, r.body.imsx_description])).toEqual(names.map(() => [200, undefined]));
    // Each answer is the object its PUT left; the last of them is what is stored.
    const stored = (await put(`${R}/users/${id}`, user('E')).expect(200)).body.user;
    expect(stored.givenName).toBe('E');
    expect(answers.map((r) => r.body.user.givenName).sort()).toEqual(names);
  });

  onPostgres(
    'new results of one student without an attempt each take the next one; one for an attempt that has its result stays 422',
    async () => {
      const student = await createStudent(t.orm);
      const lineItem = uid('li');
      await put(`${G}/assessmentLineItems/${lineItem}`, {
        assessmentLineItem: { sourcedId: lineItem, status: 'active', title: 'Unit test score' },
      }).expect(201);
      const result = (id: string, metadata: Record<string, unknown> = {}) => ({
        assessmentResult: {
          sourcedId: id,
          status: 'active',
          assessmentLineItem: { sourcedId: lineItem },
          student: { sourcedId: student.sourcedId },
          scoreDate: '2026-11-01T10:00:00.000Z',
          scoreStatus: 'submitted',
          metadata,
        },
      });
      const ids = [uid('result'), uid('result'), uid('result')];
      const answers = await racing(
        'assessment_results',
        ids.map((id) => () => put(`${G}/assessmentResults/${id}`, result(id))),
      );
      expect(answers.map((r) => [r.status, r.body.imsx_description])).toEqual(ids.map(() => [201, undefined]));
      expect(answers.map((r) => r.body.assessmentResult.metadata.attempt as number).sort()).toEqual([1, 2, 3]);

      // Attempt 2 has its result: another for it fails every run, and nothing of it is kept.
      const taken = uid('result');
      const refused = await put(`${G}/assessmentResults/${taken}`, result(taken, { attempt: 2 })).expect(422);
      expect(refused.body.imsx_description).toBe(
        `assessmentResult '${taken}' conflicts with an existing object; read it and retry`,
      );
      await t.http().get(`${G}/assessmentResults/${taken}`).set('Authorization', `Bearer ${token}`).expect(404);
    },
  );
});
