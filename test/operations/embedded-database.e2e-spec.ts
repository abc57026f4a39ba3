import request from 'supertest';
import { RequestContext } from '@mikro-orm/core';
import { AssignmentReconciler } from '@external-tests/assignments';
import { SecondConnectionInTransactionError } from '@external-tests/persistence';
import { DEFAULT_EDULASTIC_TESTS } from '@external-tests/sandbox';
import { startEmbeddedTestDatabases } from '../helpers/embedded-test-databases';
import { createLesson, createStudent, uid } from '../helpers/fixtures';
import { createTestApp, TestApp } from '../helpers/test-app';
import { toolState } from '../helpers/tool-state';
import { embeddedDatabaseEnv } from '../helpers/test-database';

const PP = '/powerpath';
const R = '/ims/oneroster/rostering/v1p2';
const G = '/ims/oneroster/gradebook/v1p2';
const eduTest = DEFAULT_EDULASTIC_TESTS[0];
const ORG = uid('org');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What `npm start` runs on: the app on the embedded database (PGlite behind pglite-socket, in memory, in a process of
 * its own: PGlite cannot load inside Jest's VM), whatever database the rest of the run uses. That database has one
 * session: while a connection is in a transaction, every other connection waits for its end. So a transaction must
 * never need a second connection (it would wait for itself: TransactionConnectionGuard makes that fail at once), and
 * then everyone else only waits for transactions that make progress.
 */
describe('on the embedded database', () => {
  let db: Awaited<ReturnType<typeof startEmbeddedTestDatabases>>;
  let t: TestApp;
  let token: string;
  const auth = (r: request.Test) => r.set('Authorization', `Bearer ${token}`);
  const assign = (student: string, lesson: string) =>
    auth(t.http().post(`${PP}/makeExternalTestAssignment`)).send({ student, lesson });
  const putUser = (id: string) =>
    auth(t.http().put(`${R}/users/${id}`)).send({
      user: {
        sourcedId: id,
        status: 'active',
        enabledUser: true,
        givenName: 'Grace',
        familyName: 'Hopper',
        email: `${id}@example.org`,
        roles: [{ roleType: 'primary', role: 'student', org: { sourcedId: ORG } }],
      },
    });
  /** A result without metadata.attempt: the next attempt is read inside the write's transaction. */
  const postResult = (lineItem: string, student: string) =>
    auth(t.http().post(`${G}/assessmentResults`)).send({
      assessmentResult: {
        status: 'active',
        assessmentLineItem: { sourcedId: lineItem },
        student: { sourcedId: student },
        score: 70,
        scoreDate: '2026-11-01T10:00:00.000Z',
        scoreStatus: 'partially graded',
      },
    });
  const putLineItem = (id: string) =>
    auth(t.http().put(`${G}/assessmentLineItems/${id}`)).send({
      assessmentLineItem: {
        sourcedId: id,
        status: 'active',
        title: 'Unit test',
        resultValueMin: 0,
        resultValueMax: 100,
      },
    });

  beforeAll(async () => {
    db = await startEmbeddedTestDatabases(1);
    // As npm start runs it: one session behind every connection, so statements are not prepared (em.execute).
    t = await createTestApp({ DATABASE_URL: db.urls[0], ...embeddedDatabaseEnv(true) });
    token = await t.token();
    await auth(t.http().put(`${R}/orgs/${ORG}`))
      .send({ org: { sourcedId: ORG, status: 'active', name: 'North School', type: 'school' } })
      .expect(201);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await db?.stop();
  });

  it('assigns on both tools and brings the results back (MasteryTrack writes back, Edulastic is imported)', async () => {
    const mtStudent = await createStudent(t.orm);
    const mtLesson = await createLesson(t.orm);
    const mt = await assign(mtStudent.sourcedId, mtLesson.sourcedId).expect(200);
    expect(mt.body).toMatchObject({ toolProvider: 'mastery-track', attempt: 1 });
    const writeBack = await request(t.sandboxes.masteryTrack.url)
      .post(`/__sandbox/assignments/${mt.body.assignmentId}/complete`)
      .send({ score: 95, totalQuestions: 20, correctQuestions: 19, studentSourcedId: mtStudent.sourcedId })
      .expect(200);
    expect(writeBack.body.data.writeBack.status).toBe(201);
    const mtProgress = await auth(t.http().get(`${PP}/getAssessmentProgress`))
      .query({ student: mtStudent.sourcedId, lesson: mtLesson.sourcedId })
      .expect(200);
    expect(mtProgress.body).toMatchObject({ finalized: true, score: 95 });

    const eduStudent = await createStudent(t.orm);
    const eduLesson = await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: eduTest.id });
    const edu = await assign(eduStudent.sourcedId, eduLesson.sourcedId).expect(200);
    expect(edu.body).toMatchObject({ toolProvider: 'edulastic', credentials: { email: eduStudent.email } });
    await request(t.sandboxes.edulastic.url)
      .post('/api/__sandbox/submit')
      .send({
        assignmentId: edu.body.assignmentId,
        email: eduStudent.email,
        answers: Array.from({ length: eduTest.questionCount }, () => ({ score: 1, maxScore: 1 })),
        graded: 'GRADED',
      })
      .expect(200);
    const imported = await auth(t.http().get(`${PP}/importExternalTestAssignmentResults`))
      .query({ student: eduStudent.sourcedId, lesson: eduLesson.sourcedId })
      .expect(200);
    expect(imported.body).toMatchObject({ finalized: true, attempt: 1, toolProvider: 'edulastic' });
  });

  it("reconciliation withdraws a deleted attempt's MasteryTrack assignment (its scan's statements run formatted here)", async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm);
    const assigned = (await assign(student.sourcedId, lesson.sourcedId).expect(200)).body;
    const [row] = await t.orm.em
      .fork()
      .getConnection()
      .execute<
        { sourced_id: string }[]
      >('select sourced_id from assessment_results where student_sourced_id = ? and attempt = 1', [student.sourcedId]);
    await auth(t.http().delete(`${G}/assessmentResults/${row.sourced_id}`)).expect(204);
    const run = await RequestContext.create(t.orm.em, () => t.app.get(AssignmentReconciler).reconcile());
    expect(run).toMatchObject({ withdrawn: 1, failed: 0 });
    const held = await toolState(t.sandboxes).mtAssignments(student.email);
    expect(held.find((a) => String(a.id) === assigned.assignmentId)?.status).toBe('INVALIDATED');
  });

  it('OneRoster: PUT and list, and results posted without metadata.attempt get attempts 1 and 2', async () => {
    const user = uid('user');
    await putUser(user).expect(200); // users: 200 on create too (see oneroster-collections)
    const listed = await auth(t.http().get(`${R}/users`))
      .query({ filter: `sourcedId='${user}'` })
      .expect(200);
    expect(listed.body.users).toEqual([expect.objectContaining({ sourcedId: user, givenName: 'Grace' })]);

    const lineItem = uid('line-item');
    await putLineItem(lineItem).expect(201);
    for (const attempt of [1, 2]) {
      const posted = await postResult(lineItem, user).expect(201);
      const id = posted.body.sourcedIdPairs.allocatedSourcedId;
      const read = await auth(t.http().get(`${G}/assessmentResults/${id}`)).expect(200);
      expect(read.body.assessmentResult.metadata).toMatchObject({ attempt });
    }

    // An org's children (a statement whose ids travel as one JSON parameter, formatted into the text here).
    const child = uid("org-o'child?");
    await auth(t.http().put(`${R}/orgs/${encodeURIComponent(child)}`))
      .send({ org: { sourcedId: child, name: 'Annex', type: 'school', parent: { sourcedId: ORG } } })
      .expect(201);
    const parent = await auth(t.http().get(`${R}/orgs/${ORG}`)).expect(200);
    expect(parent.body.org.children).toEqual([expect.objectContaining({ sourcedId: child, type: 'org' })]);
  });

  it('requests made while another connection holds a transaction answer once it commits, none fails', async () => {
    const students = await Promise.all([1, 2, 3].map(() => createStudent(t.orm)));
    const mtLesson = await createLesson(t.orm);
    const eduLesson = await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: eduTest.id });
    const lineItem = uid('line-item');
    await putLineItem(lineItem).expect(201);

    let committed = 0;
    const held = t.orm.em.fork().transactional(async (em) => {
      await em.execute('select 1');
      await sleep(1_000); // every other connection waits for the session meanwhile
      committed = Date.now();
    });
    await sleep(100);
    const started = Date.now();
    const answers = await Promise.all([
      // First, so that its ping (2 s budget) queues ahead of the others' statements, not behind them.
      t.http().get('/health'),
      ...students.map((s) => assign(s.sourcedId, mtLesson.sourcedId)),
      ...students.map((s) => assign(s.sourcedId, eduLesson.sourcedId)),
      ...students.map((s) => postResult(lineItem, s.sourcedId)),
      putUser(uid('user')),
      auth(t.http().get(`${R}/users`)).query({ limit: 5 }),
    ]);
    await held;
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 201, 201, 201, 200, 200]);
    expect(committed).toBeGreaterThan(started);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('a transaction that asks for a second connection fails at once instead of waiting for itself', async () => {
    const started = Date.now();
    const nested = t.orm.em.fork().transactional(async (em) => {
      await em.execute('select 1');
      // Outside the transaction: another pooled connection, which would wait for this transaction to end.
      await t.orm.em.fork().getConnection().execute('select 2');
    });
    await expect(nested).rejects.toBeInstanceOf(SecondConnectionInTransactionError);
    expect(Date.now() - started).toBeLessThan(2_000);
    // The transaction rolled back and released the session.
    await t.http().get('/health').expect(200);
  });
});
