import { RequestContext } from '@mikro-orm/core';
import { AssignmentReconciler } from '@external-tests/assignments';
import { createLesson, createStudent } from '../helpers/fixtures';
import { countRows, ledgerRow, resultRow } from '../helpers/rows';
import { delayMasteryTrackAssign, sandboxControl } from '../helpers/sandbox-control';
import { createTestApp, TestApp } from '../helpers/test-app';

const ROUTE = '/powerpath/makeExternalTestAssignment';

describe('recovery and concurrency', () => {
  let a: TestApp;
  let b: TestApp;
  let token: string;
  const assigns = () => sandboxControl(a.sandboxes, 'masteryTrack').count('POST', '/delivery/assignments/assign');
  const mtAssignments = async (email: string) =>
    (
      (await fetch(`${a.sandboxes.masteryTrack.url}/__sandbox/assignments`).then((r) => r.json())) as {
        data: { student_email: string }[];
      }
    ).data.filter((x) => x.student_email === email).length;
  const post = (t: TestApp, body: object) => t.http().post(ROUTE).set('Authorization', `Bearer ${token}`).send(body);
  const sql = (text: string, params: unknown[]) => a.orm.em.fork().getConnection().execute(text, params);

  beforeAll(async () => {
    a = await createTestApp();
    // A second instance on the same database and the same tool.
    b = await createTestApp({}, { sandboxes: a.sandboxes });
    // passport keeps one 'jwt' strategy per process: both in-process instances validate with the last one's
    // dev issuer keys, so tokens come from b (separate processes would each use their own).
    token = await b.token();
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  describe('a crash at each step leaves one tool assignment and a row the next call completes', () => {
    it('before the tool call: an expired lease is taken over', async () => {
      const student = await createStudent(a.orm);
      const lesson = await createLesson(a.orm);
      await post(a, { student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      // Rewind to "claimed, lease expired, the tool never answered": a fresh student, so the tool has nothing.
      const other = await createStudent(a.orm);
      const id = `res-${other.sourcedId}`;
      await sql(
        `insert into assessment_results (sourced_id, line_item_sourced_id, student_sourced_id, attempt, metadata)
         select ?, line_item_sourced_id, ?, 1, '{"attempt":1}'::jsonb from assessment_results where student_sourced_id = ?`,
        [id, other.sourcedId, student.sourcedId],
      );
      await sql(
        `insert into tool_assignments (result_sourced_id, lesson_sourced_id, student_sourced_id, attempt, tool, account, state, lease_token, lease_until)
         values (?, ?, ?, 1, 'mastery-track', 'default', 'pending', gen_random_uuid(), now() - interval '1 minute')`,
        [id, lesson.sourcedId, other.sourcedId],
      );
      const res = await post(b, { student: other.sourcedId, lesson: lesson.sourcedId }).expect(200);
      expect(res.body.attempt).toBe(1);
      expect(await mtAssignments(other.email)).toBe(1);
      expect(await ledgerRow(a.orm, id)).toMatchObject({ state: 'assigned', external_id: res.body.assignmentId });
    });

    it('after the tool call and before the commit: the next call adopts the tool assignment', async () => {
      const student = await createStudent(a.orm);
      const lesson = await createLesson(a.orm);
      const first = await post(a, { student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      await sql(
        `update tool_assignments set state = 'pending', called = true, external_id = null, lease_token = gen_random_uuid(), lease_until = now() - interval '1 second'
         where student_sourced_id = ?`,
        [student.sourcedId],
      );
      const healed = await post(b, { student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      expect(healed.body.assignmentId).toBe(first.body.assignmentId);
      expect(await mtAssignments(student.email)).toBe(1);
    });

    it('after the commit and before the response: a retry gets the stored answer, no tool call', async () => {
      const student = await createStudent(a.orm);
      const lesson = await createLesson(a.orm);
      const first = await post(a, { student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      const calls = await assigns();
      expect((await post(b, { student: student.sourcedId, lesson: lesson.sourcedId }).expect(200)).body).toEqual(
        first.body,
      );
      expect(await assigns()).toBe(calls);
    });

    it('npm run reconcile finishes stuck rows through the same flow', async () => {
      const student = await createStudent(a.orm);
      const lesson = await createLesson(a.orm);
      const first = await post(a, { student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      await sql(
        `update tool_assignments set state = 'pending', called = true, external_id = null, lease_token = gen_random_uuid(), lease_until = now() - interval '1 second'
         where student_sourced_id = ?`,
        [student.sourcedId],
      );
      const outcome = await RequestContext.create(a.orm.em, () => a.app.get(AssignmentReconciler).reconcile());
      expect(outcome.completed).toBeGreaterThanOrEqual(1);
      const row = await resultRow(a.orm, student.sourcedId, lesson.sourcedId);
      expect(await ledgerRow(a.orm, row.sourced_id)).toMatchObject({
        state: 'assigned',
        external_id: first.body.assignmentId,
      });
      expect(row.metadata.assignmentId).toBe(first.body.assignmentId);
      expect(await mtAssignments(student.email)).toBe(1);
    });
  });

  describe('two instances on one database', () => {
    it('50 parallel identical requests → one tool assignment, one result row; the rest 200 or 409', async () => {
      const student = await createStudent(a.orm);
      const lesson = await createLesson(a.orm);
      await delayMasteryTrackAssign(a.sandboxes, 300);
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          post(i % 2 ? a : b, { student: student.sourcedId, lesson: lesson.sourcedId }),
        ),
      );
      const statuses = responses.map((r) => r.status);
      expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
      expect(statuses).toContain(200);
      for (const r of responses.filter((x) => x.status === 409))
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      expect(await mtAssignments(student.email)).toBe(1);
      expect(await countRows(a.orm, 'assessment_results where student_sourced_id = ?', [student.sourcedId])).toBe(1);
      const ids = new Set(responses.filter((r) => r.status === 200).map((r) => r.body.assignmentId));
      expect(ids.size).toBe(1);
      expect(
        (await post(a, { student: student.sourcedId, lesson: lesson.sourcedId }).expect(200)).body.assignmentId,
      ).toBe([...ids][0]);
    });

    it('50 parallel write-backs through both instances → one final state, finalized and enrolled once', async () => {
      const student = await createStudent(a.orm);
      const lesson = await createLesson(a.orm, { lessonType: 'unit-test' });
      await post(a, { student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      const row = await resultRow(a.orm, student.sourcedId, lesson.sourcedId);
      const gradebookToken = await b.token('https://purl.imsglobal.org/spec/or/v1p1/scope/gradebook.createput');
      const body = (score: number, scoreStatus: string) => ({
        assessmentResult: {
          sourcedId: row.sourced_id,
          status: 'active',
          assessmentLineItem: { sourcedId: row.line_item_sourced_id },
          student: { sourcedId: student.sourcedId },
          score,
          scoreDate: new Date().toISOString(),
          scoreStatus,
          metadata: { masteryTrackProcessed: scoreStatus === 'fully graded', totalQuestions: 10, correctQuestions: 8 },
        },
      });
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 ? a : b)
            .http()
            .put(`/ims/oneroster/gradebook/v1p2/assessmentResults/${row.sourced_id}`)
            .set('Authorization', `Bearer ${gradebookToken}`)
            .send(i % 5 === 0 ? body(0, 'submitted') : body(80, 'fully graded')),
        ),
      );
      expect(responses.map((r) => r.status).every((s) => s === 201)).toBe(true);
      const final = await resultRow(a.orm, student.sourcedId, lesson.sourcedId);
      expect(final).toMatchObject({ score: 80, score_status: 'fully graded' });
      expect(final.finalized_at).not.toBeNull();
      expect(final.metadata).toMatchObject({ finalized: true, assignmentId: row.metadata.assignmentId, attempt: 1 });
    });
  });
});
