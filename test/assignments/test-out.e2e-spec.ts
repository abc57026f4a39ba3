import request from 'supertest';
import { Scope } from '@external-tests/auth';
import { ComponentResource, CourseComponent, Resource } from '@external-tests/persistence';
import { DEFAULT_EDULASTIC_TESTS } from '@external-tests/sandbox';
import { createCourse } from '../helpers/authoring';
import { createStudent, uid } from '../helpers/fixtures';
import { resultRow } from '../helpers/rows';
import { sandboxControl } from '../helpers/sandbox-control';
import { createTestApp, TestApp } from '../helpers/test-app';
import { expectMatchesSchema, powerPathResponseValidator } from '../helpers/upstream-schema';

const PP = '/powerpath';
const eduTest = DEFAULT_EDULASTIC_TESTS[0];
const schema = () => powerPathResponseValidator(`${PP}/testOut`, 'get', '200');

describe('GET /powerpath/testOut', () => {
  let t: TestApp;
  let token: string;
  const auth = (r: request.Test, bearer = token) => r.set('Authorization', `Bearer ${bearer}`);
  const testOut = (student: string, course: string, bearer = token) =>
    auth(t.http().get(`${PP}/testOut`), bearer).query({ student, course });
  const createTestOut = (courseId: string, o: Record<string, unknown>) =>
    auth(t.http().post(`${PP}/createExternalTestOut`))
      .send({ lessonType: 'test-out', courseId, grades: ['4'], xp: 100, ...o })
      .expect(200);
  const assign = (student: string, lesson: string) =>
    auth(t.http().post(`${PP}/makeExternalTestAssignment`))
      .send({ student, lesson })
      .expect(200);

  beforeAll(async () => {
    t = await createTestApp();
    token = await t.token();
  });
  afterAll(() => t.close());

  it('a course without a test-out: lessonId null, not finalized, no tool', async () => {
    const course = await createCourse(t.orm);
    const student = await createStudent(t.orm);
    const res = await testOut(student.sourcedId, course).expect(200);
    expectMatchesSchema(schema(), res.body);
    expect(res.body).toEqual({ lessonType: 'test-out', lessonId: null, finalized: false, toolProvider: null });
  });

  it('Edulastic: the lesson before the test, the credentials once assigned, finalized once the import finalized it', async () => {
    const course = await createCourse(t.orm);
    const student = await createStudent(t.orm);
    const { lessonId } = (await createTestOut(course, { toolProvider: 'edulastic', vendorId: eduTest.id })).body;

    const before = await testOut(student.sourcedId, course).expect(200);
    expectMatchesSchema(schema(), before.body);
    expect(before.headers['cache-control']).toBe('no-store');
    expect(before.body).toEqual({
      lessonType: 'test-out',
      lessonId,
      toolProvider: 'edulastic',
      finalized: false,
      attempt: 1,
    });

    const assigned = (await assign(student.sourcedId, lessonId)).body;
    const after = await testOut(student.sourcedId, course).expect(200);
    expectMatchesSchema(schema(), after.body);
    expect(after.body).toEqual({
      lessonType: 'test-out',
      lessonId,
      toolProvider: 'edulastic',
      finalized: false,
      attempt: 1,
      credentials: assigned.credentials,
      assignmentId: assigned.assignmentId,
      classId: assigned.classId,
      testUrl: assigned.testUrl,
      testId: assigned.testId,
    });
    const readOnly = await testOut(student.sourcedId, course, await t.token(Scope.PowerPathReadonly)).expect(200);
    expect(readOnly.body).toEqual({ ...after.body, credentials: undefined });
    expect(readOnly.body).not.toHaveProperty('credentials');

    // The student takes the test. testOut reads what was recorded; the import asks Edulastic and finalizes.
    const answers = Array.from({ length: eduTest.questionCount }, () => ({ score: 1, maxScore: 1 }));
    await request(t.sandboxes.edulastic.url)
      .post('/api/__sandbox/submit')
      .send({ assignmentId: assigned.assignmentId, email: student.email, answers, graded: 'GRADED' })
      .expect(200);
    const calls = (await sandboxControl(t.sandboxes, 'edulastic').calls()).length;
    expect((await testOut(student.sourcedId, course).expect(200)).body.finalized).toBe(false);
    expect((await sandboxControl(t.sandboxes, 'edulastic').calls()).length).toBe(calls);
    await auth(t.http().get(`${PP}/importExternalTestAssignmentResults`))
      .query({ student: student.sourcedId, lesson: lessonId })
      .expect(200);

    const taken = await testOut(student.sourcedId, course).expect(200);
    expectMatchesSchema(schema(), taken.body);
    expect(taken.body).toEqual({ ...after.body, finalized: true });
  });

  it('an attempt closed at Edulastic (a question skipped) is closed here too, as the import and progress say', async () => {
    const course = await createCourse(t.orm);
    const student = await createStudent(t.orm);
    const { lessonId } = (await createTestOut(course, { toolProvider: 'edulastic', vendorId: eduTest.id })).body;
    const assigned = (await assign(student.sourcedId, lessonId)).body;
    const answers = Array.from({ length: eduTest.questionCount }, (_, i) =>
      i === 0 ? null : { score: 1, maxScore: 1 },
    );
    await request(t.sandboxes.edulastic.url)
      .post('/api/__sandbox/submit')
      .send({ assignmentId: assigned.assignmentId, email: student.email, answers, graded: 'GRADED' })
      .expect(200);
    const imported = await auth(t.http().get(`${PP}/importExternalTestAssignmentResults`))
      .query({ student: student.sourcedId, lesson: lessonId })
      .expect(200);
    expect(imported.body).toMatchObject({ finalized: false, closed: true });
    const closed = await testOut(student.sourcedId, course).expect(200);
    expectMatchesSchema(schema(), closed.body);
    expect(closed.body).toMatchObject({ lessonId, finalized: false, closed: true, attempt: 1 });
    // The retake it allows is open, not closed.
    const retake = await auth(t.http().post(`${PP}/createNewAttempt`)).send({
      student: student.sourcedId,
      lesson: lessonId,
    });
    expect(retake.status).toBe(200);
    const next = await testOut(student.sourcedId, course).expect(200);
    expect(next.body).toMatchObject({ finalized: false, attempt: 2 });
    expect(next.body).not.toHaveProperty('closed');
  });

  it('a void attempt (its result deleted in the gradebook) is closed, as progress says', async () => {
    const course = await createCourse(t.orm);
    const student = await createStudent(t.orm);
    const { lessonId } = (await createTestOut(course, { toolProvider: 'edulastic', vendorId: eduTest.id })).body;
    await assign(student.sourcedId, lessonId);
    expect((await testOut(student.sourcedId, course).expect(200)).body).not.toHaveProperty('closed');
    const row = await resultRow(t.orm, student.sourcedId, lessonId);
    await auth(t.http().delete(`/ims/oneroster/gradebook/v1p2/assessmentResults/${row.sourced_id}`)).expect(204);
    const voided = await testOut(student.sourcedId, course).expect(200);
    expectMatchesSchema(schema(), voided.body);
    expect(voided.body).toMatchObject({ lessonId, finalized: false, closed: true, attempt: 1 });
  });

  it('MasteryTrack: finalized once MasteryTrack wrote the result back', async () => {
    const course = await createCourse(t.orm);
    const student = await createStudent(t.orm);
    const { lessonId } = (await createTestOut(course, { toolProvider: 'mastery-track' })).body;
    const assigned = (await assign(student.sourcedId, lessonId)).body;
    expect((await testOut(student.sourcedId, course).expect(200)).body).toMatchObject({
      finalized: false,
      assignmentId: assigned.assignmentId,
    });

    await request(t.sandboxes.masteryTrack.url)
      .post(`/__sandbox/assignments/${assigned.assignmentId}/complete`)
      .send({ score: 95, totalQuestions: 20, correctQuestions: 19, studentSourcedId: student.sourcedId })
      .expect(200);

    const res = await testOut(student.sourcedId, course).expect(200);
    expectMatchesSchema(schema(), res.body);
    expect(res.body).toEqual({
      lessonType: 'test-out',
      lessonId,
      toolProvider: 'mastery-track',
      finalized: true,
      attempt: 1,
      assignmentId: assigned.assignmentId,
      classId: '',
      testUrl: assigned.testUrl,
      testId: assigned.testId,
    });
  });

  /** A test-out lesson of `course` made through OneRoster (no authoring record), in its own unit (`order`). */
  const oneRosterTestOut = async (course: string, resourceMetadata: Record<string, unknown>, order = 0) => {
    const [unit, resource, lesson] = [uid('unit'), uid('res'), uid('lesson')];
    const em = t.orm.em.fork();
    em.create(CourseComponent, { sourcedId: unit, title: 'Unit', courseSourcedId: course, sortOrder: order });
    em.create(Resource, {
      sourcedId: resource,
      title: 'T',
      vendorResourceId: resource,
      vendorId: typeof resourceMetadata.vendorId === 'string' ? resourceMetadata.vendorId : null,
      metadata: { lessonType: 'test-out', subject: 'Math', grades: ['4'], ...resourceMetadata },
    });
    em.create(ComponentResource, {
      sourcedId: lesson,
      title: 'T',
      courseComponentSourcedId: unit,
      resourceSourcedId: resource,
    });
    await em.flush();
    return lesson;
  };

  it('finds a test-out made through OneRoster', async () => {
    const course = await createCourse(t.orm);
    const student = await createStudent(t.orm);
    const lesson = await oneRosterTestOut(course, { toolProvider: 'mastery-track' });

    expect((await testOut(student.sourcedId, course).expect(200)).body).toMatchObject({
      lessonId: lesson,
      toolProvider: 'mastery-track',
      finalized: false,
    });
  });

  it('of several test-outs made through OneRoster, the one the student took: finalized, else assigned, else the first', async () => {
    const course = await createCourse(t.orm);
    const student = await createStudent(t.orm);
    const mt = await oneRosterTestOut(course, { toolProvider: 'mastery-track' }, 1);
    const edu = await oneRosterTestOut(course, { toolProvider: 'edulastic', vendorId: eduTest.id }, 2);
    const lessonOf = async () => (await testOut(student.sourcedId, course).expect(200)).body;

    expect(await lessonOf()).toMatchObject({ lessonId: mt, toolProvider: 'mastery-track', finalized: false });
    // A test-out of a tool this service does not serve, first in the course, is passed over.
    await oneRosterTestOut(course, { toolProvider: 'no-such-tool' }, 0);
    expect(await lessonOf()).toMatchObject({ lessonId: mt, toolProvider: 'mastery-track', finalized: false });
    const assigned = (await assign(student.sourcedId, edu)).body;
    expect(await lessonOf()).toMatchObject({ lessonId: edu, toolProvider: 'edulastic', finalized: false, attempt: 1 });

    const answers = Array.from({ length: eduTest.questionCount }, () => ({ score: 1, maxScore: 1 }));
    await request(t.sandboxes.edulastic.url)
      .post('/api/__sandbox/submit')
      .send({ assignmentId: assigned.assignmentId, email: student.email, answers, graded: 'GRADED' })
      .expect(200);
    await auth(t.http().get(`${PP}/importExternalTestAssignmentResults`))
      .query({ student: student.sourcedId, lesson: edu })
      .expect(200);
    // Assigned the other one afterwards: the finalized test-out is still the answer.
    await assign(student.sourcedId, mt);
    const taken = await lessonOf();
    expectMatchesSchema(schema(), taken);
    expect(taken).toMatchObject({ lessonId: edu, toolProvider: 'edulastic', finalized: true, attempt: 1 });
  });

  it('404 for an unknown course or student, a course or student of another org; 400 without course; 403 without a PowerPath scope', async () => {
    const org = uid('org');
    const course = await createCourse(t.orm, { org });
    const student = await createStudent(t.orm, {
      primaryOrgSourcedId: org,
      roles: [{ roleType: 'primary', role: 'student', org: { sourcedId: org } }],
    });
    const orgToken = await t.token(undefined, { org });

    const missing = await testOut(student.sourcedId, 'no-such-course').expect(404);
    expect(missing.body.imsx_description).toBe("course 'no-such-course' not found");
    expectMatchesSchema(powerPathResponseValidator(`${PP}/testOut`, 'get', '404'), missing.body);
    expect((await testOut('nobody', course).expect(404)).body.imsx_description).toBe("student 'nobody' not found");
    await createTestOut(course, { toolProvider: 'mastery-track' });
    expect((await testOut('nobody', course).expect(404)).body.imsx_description).toBe("student 'nobody' not found");

    await testOut(student.sourcedId, course, orgToken).expect(200);
    const elsewhere = await createCourse(t.orm);
    expect((await testOut(student.sourcedId, elsewhere, orgToken).expect(404)).body.imsx_description).toBe(
      `course '${elsewhere}' not found`,
    );
    const outsider = await createStudent(t.orm);
    await testOut(outsider.sourcedId, course, orgToken).expect(404);

    const bad = await auth(t.http().get(`${PP}/testOut`))
      .query({ student: student.sourcedId })
      .expect(400);
    expect(bad.body.imsx_error_details.map((d: { field: string }) => d.field)).toContain('course');
    await testOut(student.sourcedId, course, await t.token(Scope.RosterReadonly)).expect(403);
  });
});
