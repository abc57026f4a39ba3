import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { Org } from '@external-tests/persistence';
import { DEFAULT_EDULASTIC_TESTS } from '@external-tests/sandbox';
import { createLesson, createStudent, uid } from '../helpers/fixtures';
import { countRows } from '../helpers/rows';
import { createTestApp, TestApp } from '../helpers/test-app';

/**
 * Idempotency records are scoped by everything that shapes authorization (client and org restriction), and a
 * replay passes the handler's authorization checks again before it answers (issue 10, finding 1): an
 * Idempotency-Key never hands another org's student password to a caller who would get 404 without it.
 */
const ROUTE = '/powerpath/makeExternalTestAssignment';

const edulasticLessonInOrg = async (orm: MikroORM, org: string) =>
  (
    await createLesson(orm, {
      toolProvider: 'edulastic',
      vendorId: DEFAULT_EDULASTIC_TESTS[0].id,
      grades: ['4'],
      courseOrg: org,
    })
  ).sourcedId;

describe('Idempotency-Key and authority', () => {
  let t: TestApp;
  let orgA: string;
  let orgB: string;
  let tokenA: string;
  let tokenB: string;
  const post = (token: string, body: object, key: string) =>
    t.http().post(ROUTE).set('Authorization', `Bearer ${token}`).set('Idempotency-Key', key).send(body);
  const inOrg = (org: string) => ({
    primaryOrgSourcedId: org,
    roles: [{ roleType: 'primary' as const, role: 'student', org: { sourcedId: org } }],
  });

  beforeAll(async () => {
    t = await createTestApp();
    [orgA, orgB] = [uid('orgA'), uid('orgB')];
    const em = t.orm.em.fork();
    for (const org of [orgA, orgB]) em.create(Org, { sourcedId: org, name: org, type: 'school' });
    await em.flush();
    tokenA = await t.token(undefined, { org: orgA });
    tokenB = await t.token(undefined, { org: orgB });
  });
  afterAll(() => t.close());

  it('a token of the same client restricted to another org gets what it gets without the key (404), not the replay', async () => {
    const lesson = await edulasticLessonInOrg(t.orm, orgA);
    const student = (await createStudent(t.orm, inOrg(orgA))).sourcedId;
    const key = randomUUID();
    const first = await post(tokenA, { student, lesson }, key).expect(200);
    expect(first.body.credentials.password).toEqual(expect.any(String));

    const other = await post(tokenB, { student, lesson }, key);
    expect(other.status).toBe(404);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(other.text).not.toContain(first.body.credentials.password);
    expect(other.body).toEqual(
      (await t.http().post(ROUTE).set('Authorization', `Bearer ${tokenB}`).send({ student, lesson })).body,
    );

    // The org-A caller still gets its replay; org B's attempt has a record of its own (its 404), in its own scope.
    const again = await post(tokenA, { student, lesson }, key).expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    const records = await t.orm.em
      .fork()
      .getConnection()
      .execute('select response_status from idempotency_keys where key = ? order by response_status', [key]);
    expect(records.map((r) => r.response_status)).toEqual([200, 404]);
  });

  it('a replay re-checks the org: once the student has moved to another org, the same caller and key get 404', async () => {
    const lesson = await edulasticLessonInOrg(t.orm, orgA);
    const student = (await createStudent(t.orm, inOrg(orgA))).sourcedId;
    const key = randomUUID();
    const first = await post(tokenA, { student, lesson }, key).expect(200);
    await t.orm.em
      .fork()
      .getConnection()
      .execute('update users set primary_org_sourced_id = ?, roles = ?::jsonb where sourced_id = ?', [
        orgB,
        JSON.stringify(inOrg(orgB).roles),
        student,
      ]);
    const replay = await post(tokenA, { student, lesson }, key);
    expect(replay.status).toBe(404);
    expect(replay.headers['idempotent-replayed']).toBeUndefined();
    expect(replay.text).not.toContain(first.body.credentials.password);
  });

  it('the unrestricted client has a scope of its own: the same key does not replay an org token record', async () => {
    const lesson = await edulasticLessonInOrg(t.orm, orgA);
    const student = (await createStudent(t.orm, inOrg(orgA))).sourcedId;
    const key = randomUUID();
    await post(tokenA, { student, lesson }, key).expect(200);
    const unrestricted = await post(await t.token(), { student, lesson }, key).expect(200);
    expect(unrestricted.headers['idempotent-replayed']).toBeUndefined();
    expect(await countRows(t.orm, 'idempotency_keys where key = ?', [key])).toBe(2);
  });
});
