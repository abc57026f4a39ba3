import request from 'supertest';
import { DEFAULT_EDULASTIC_TESTS } from '@external-tests/sandbox';
import { createLesson, createStudent } from '../helpers/fixtures';
import { sandboxControl } from '../helpers/sandbox-control';
import { createTestApp, TestApp } from '../helpers/test-app';

/**
 * A test-activity answer that does not have the contract's shape is a 502 and stores nothing (issue 10, finding 15):
 * the import never half-reads garbage into a result, question rows or a finalization.
 */
const PP = '/powerpath';
const eduTest = DEFAULT_EDULASTIC_TESTS[0];
type Activity = { students: any[]; testActivities: any[]; testQuestionActivities: any[] };

describe('Edulastic import of a malformed test activity', () => {
  let t: TestApp;
  let auth: { Authorization: string };
  let student: { sourcedId: string; email: string };
  let lesson: string;
  let activityPath: string;
  let real: Activity;

  /** Everything the import could write for this student: results (incl. per-question ones), line items, enrollments. */
  const snapshot = async () =>
    t.orm.em
      .fork()
      .getConnection()
      .execute(
        `select (select json_agg(r order by r.sourced_id) from (select sourced_id, score, score_status, metadata, finalized_at from assessment_results
                where student_sourced_id = ?) r) results,
              (select count(*)::int from assessment_line_items) line_items,
              (select count(*)::int from enrollments where user_sourced_id = ?) enrollments`,
        [student.sourcedId, student.sourcedId],
      );
  const importWith = async (body: unknown) => {
    await sandboxControl(t.sandboxes, 'edulastic').fault({ method: 'POST', path: activityPath, status: 200, body });
    return t
      .http()
      .get(`${PP}/importExternalTestAssignmentResults`)
      .set(auth)
      .query({ student: student.sourcedId, lesson });
  };
  const copy = (): Activity => JSON.parse(JSON.stringify(real));

  beforeAll(async () => {
    t = await createTestApp();
    auth = { Authorization: `Bearer ${await t.token()}` };
    student = await createStudent(t.orm);
    lesson = (await createLesson(t.orm, { toolProvider: 'edulastic', lessonType: 'unit-test', vendorId: eduTest.id }))
      .sourcedId;
    const assigned = await t
      .http()
      .post(`${PP}/makeExternalTestAssignment`)
      .set(auth)
      .send({ student: student.sourcedId, lesson })
      .expect(200);
    activityPath = `/api/assignments/${assigned.body.assignmentId}/classes/${assigned.body.classId}/test-activity`;
    const answers = Array.from({ length: eduTest.questionCount }, () => ({ score: 1, maxScore: 1 }));
    const submitted = await request(t.sandboxes.edulastic.url)
      .post('/api/__sandbox/submit')
      .send({ assignmentId: assigned.body.assignmentId, email: student.email, answers })
      .expect(200);
    const { testActivity, testQuestionActivities } = submitted.body.result;
    real = {
      students: [{ _id: testActivity.userId, email: student.email }],
      testActivities: [testActivity],
      testQuestionActivities,
    };
  });
  afterAll(() => t.close());

  const malformed: [string, (a: Activity) => void][] = [
    ['a student without email', (a) => delete a.students[0].email],
    ['a non-string email', (a) => (a.students[0].email = 42)],
    ['a null student', (a) => a.students.push(null)],
    ['a null question entry', (a) => (a.testQuestionActivities[1] = null)],
    ['a string score', (a) => (a.testQuestionActivities[0].score = '1')],
    ['a string maxScore', (a) => (a.testQuestionActivities[0].maxScore = '1')],
    ['a null score', (a) => (a.testQuestionActivities[0].score = null)],
    ['an endDate that is not a date', (a) => (a.testActivities[0].endDate = 'yesterday')],
    ['an endDate out of Date range', (a) => (a.testActivities[0].endDate = 1e20)],
    ['a null test activity', (a) => (a.testActivities[0] = null)],
    ['a status outside 0|1|2', (a) => (a.testActivities[0].status = '1')],
  ];

  it.each(malformed)('%s: 502, nothing stored', async (_label, spoil) => {
    const before = await snapshot();
    const body = copy();
    spoil(body);
    const res = await importWith(body);
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({
      imsx_codeMajor: 'failure',
      imsx_description: expect.stringMatching(/^Edulastic answered a malformed test activity/),
    });
    expect(await snapshot()).toEqual(before);
  });

  it('a question a later read no longer has is retired (tobedeleted), and comes back with a read that has it', async () => {
    const questionRows = async () =>
      (
        await t.orm.em
          .fork()
          .getConnection()
          .execute<{ status: string; n: number }[]>(
            `select status, count(*)::int n from assessment_results
             where student_sourced_id = ? and metadata->>'questionId' is not null group by status order by status`,
            [student.sourcedId],
          )
      ).map((r) => [r.status, r.n]);
    const progress = async () =>
      (
        await t
          .http()
          .get(`${PP}/getAssessmentProgress`)
          .set(auth)
          .query({ student: student.sourcedId, lesson })
          .expect(200)
      ).body;
    // Grading pending, so no read finalizes the attempt and each one is stored.
    const read = (questions: number) => {
      const body = copy();
      body.testActivities[0].graded = 'IN GRADING';
      body.testQuestionActivities = body.testQuestionActivities.slice(0, questions);
      return importWith(body);
    };
    const n = eduTest.questionCount;
    expect((await read(n)).body.finalized).toBe(false);
    expect(await questionRows()).toEqual([['active', n]]);

    expect((await read(n - 1)).status).toBe(200);
    expect(await questionRows()).toEqual([
      ['active', n - 1],
      ['tobedeleted', 1],
    ]);
    expect((await progress()).questions).toHaveLength(n - 1);

    expect((await read(n)).status).toBe(200);
    expect(await questionRows()).toEqual([['active', n]]);
    expect((await progress()).questions).toHaveLength(n);
  });

  it('the same answer, well formed, is imported and finalizes the attempt (the cases above are not vacuous)', async () => {
    const res = await importWith(copy());
    expect(res.status).toBe(200);
    expect(res.body.finalized).toBe(true);
  });
});
