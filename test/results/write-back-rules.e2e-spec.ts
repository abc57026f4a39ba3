import request from 'supertest';
import { Scope } from '@external-tests/auth';
import { DEFAULT_EDULASTIC_TESTS, DEFAULT_MASTERY_TRACK_TESTS } from '@external-tests/sandbox';
import { createLesson, createStudent, uid } from '../helpers/fixtures';
import { createTrackedPlacement, enrollmentsOf } from '../helpers/lesson-setup';
import { countRows, ledgerRows, resultRow } from '../helpers/rows';
import { sandboxControl } from '../helpers/sandbox-control';
import { createTestApp, TestApp } from '../helpers/test-app';
import { toolState } from '../helpers/tool-state';

/**
 * Who may make an attempt final, and what a gradebook write may change (issue 10 findings 7–11, issue 9 case 8):
 * only the OAuth clients configured as MasteryTrack's write-back finalize; a result the flow did not make is never
 * adopted; deliveries are ordered by scoreDate; scores stay in the line item's range; a deleted attempt is void;
 * finalization commits with the write that made the attempt final, or not at all.
 */
const PP = '/powerpath';
const RESULTS = '/ims/oneroster/gradebook/v1p2/assessmentResults';
// Placement lessons here have a tracked subject of their own, which MasteryTrack does not know: name the test.
const MT_TEST = DEFAULT_MASTERY_TRACK_TESTS[0].timeback_id;

describe('write-back rules', () => {
  let t: TestApp;
  let token: string;
  const auth = (r: request.Test, bearer = token) => r.set('Authorization', `Bearer ${bearer}`);
  const assign = (body: object) => auth(t.http().post(`${PP}/makeExternalTestAssignment`)).send(body);
  const assignMt = (body: object) => assign({ ...body, testId: MT_TEST });
  const importResults = (student: string, lesson: string, bearer = token) =>
    auth(t.http().get(`${PP}/importExternalTestAssignmentResults`), bearer).query({ student, lesson });
  const put = (id: string, result: Record<string, unknown>, bearer = token) =>
    auth(t.http().put(`${RESULTS}/${id}`), bearer).send({
      assessmentResult: { sourcedId: id, status: 'active', ...result },
    });
  const resultBody = (row: Record<string, any>, student: string, o: Record<string, unknown>) => ({
    assessmentLineItem: { sourcedId: row.line_item_sourced_id },
    student: { sourcedId: student },
    scoreDate: new Date().toISOString(),
    ...o,
  });

  const placement = (app: TestApp = t) => createTrackedPlacement(app.orm);

  beforeAll(async () => {
    t = await createTestApp();
    token = await t.token();
  });
  afterAll(() => t.close());

  describe('the write-back identity is configured, not implied by a scope', () => {
    it('any other gradebook client may not grade an open MasteryTrack attempt fully (422, nothing stored); a partial grade it may, and never finalizes', async () => {
      const student = await createStudent(t.orm);
      const { lesson } = await placement();
      await assignMt({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      const row = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
      const gradebook = t.tokenFor('some-gradebook-app', Scope.GradebookCreatePut);
      const grade = (scoreStatus: string) =>
        put(
          row.sourced_id,
          resultBody(row, student.sourcedId, { score: 100, scoreStatus, metadata: { masteryTrackProcessed: true } }),
          gradebook,
        );
      const refused = await grade('fully graded').expect(422);
      expect(refused.body.imsx_codeMajor).toBe('failure');
      expect(refused.body.imsx_description).toContain("only mastery-track's write-back grades it fully");
      expect(await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).toMatchObject({
        score: null,
        score_status: row.score_status,
        finalized_at: null,
      });
      await grade('partially graded').expect(201);
      expect(await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).toMatchObject({
        score: 100,
        score_status: 'partially graded',
        finalized_at: null,
      });
      expect(await enrollmentsOf(t.orm, student.sourcedId)).toEqual([]);
      expect((await importResults(student.sourcedId, lesson.sourcedId).expect(200)).body.finalized).toBe(false);
    });

    it("another writer's grade never blocks MasteryTrack's final delivery dated before it (the student finished first)", async () => {
      const student = await createStudent(t.orm);
      const { tracked, lesson } = await placement();
      const ids = { student: student.sourcedId, lesson: lesson.sourcedId };
      await assignMt(ids).expect(200);
      const row = await resultRow(t.orm, ids.student, ids.lesson);
      const gradebook = t.tokenFor('some-gradebook-app', Scope.GradebookCreatePut);
      const teacher = (scoreStatus: string) =>
        put(
          row.sourced_id,
          resultBody(row, ids.student, { score: 10, scoreStatus, scoreDate: '2026-12-01T10:05:00.000Z' }),
          gradebook,
        );
      await teacher('fully graded').expect(422);
      await teacher('partially graded').expect(201);
      // MasteryTrack delivers later, dated when the student finished (10:00, before the teacher's 10:05).
      await put(
        row.sourced_id,
        resultBody(row, ids.student, {
          score: 95,
          scoreStatus: 'fully graded',
          scoreDate: '2026-12-01T10:00:00.000Z',
          metadata: { masteryTrackProcessed: true },
        }),
      ).expect(201);
      expect(await resultRow(t.orm, ids.student, ids.lesson)).toMatchObject({
        score: 95,
        score_status: 'fully graded',
        finalized_at: expect.any(String),
      });
      expect((await enrollmentsOf(t.orm, ids.student)).map((e) => e.course_sourced_id)).toEqual([tracked.courses['5']]);
      // Completed when MasteryTrack says the student finished, not when the delivery arrived.
      const attempts = await auth(t.http().get(`${PP}/getAttempts`))
        .query(ids)
        .expect(200);
      expect(attempts.body.attempts[0]).toMatchObject({ attempt: 1, completedAt: '2026-12-01T10:00:00.000Z' });
      // Final now: another writer's full grade changes nothing and is not refused (as for any finalized result).
      await teacher('fully graded').expect(201);
      expect(await resultRow(t.orm, ids.student, ids.lesson)).toMatchObject({ score: 95 });
    });

    it('the configured client finalizes (the dev client by default when the dev issuer is on), and its 201 is the result as stored', async () => {
      const student = await createStudent(t.orm);
      const { tracked, lesson } = await placement();
      await assignMt({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      const row = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
      const written = await put(
        row.sourced_id,
        resultBody(row, student.sourcedId, {
          score: 100,
          scoreStatus: 'fully graded',
          metadata: { masteryTrackProcessed: true },
        }),
        await t.token(Scope.GradebookCreatePut),
      ).expect(201);
      expect((await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).finalized_at).not.toBeNull();
      // Finalization wrote to the row after the delivery (its outcome, its time): the answer says so too.
      const stored = await auth(t.http().get(`${RESULTS}/${row.sourced_id}`)).expect(200);
      expect(written.body).toEqual(stored.body);
      expect(stored.body.assessmentResult.metadata).toMatchObject({
        finalized: true,
        enrollment: expect.objectContaining({ status: 'enrolled' }),
      });
      expect((await enrollmentsOf(t.orm, student.sourcedId)).map((e) => e.course_sourced_id)).toEqual([
        tracked.courses['5'],
      ]);
    });

    it('a final-looking delivery without a score is stored but finalizes nothing; the scored one that follows does', async () => {
      const student = await createStudent(t.orm);
      const { tracked, lesson } = await placement();
      await assignMt({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      const row = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
      const deliver = (score: number | null, scoreDate: string) =>
        put(
          row.sourced_id,
          resultBody(row, student.sourcedId, {
            score,
            scoreDate,
            scoreStatus: 'fully graded',
            metadata: { masteryTrackProcessed: true },
          }),
        ).expect(201);
      await deliver(null, '2026-12-01T10:00:00.000Z');
      expect(await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).toMatchObject({
        score: null,
        finalized_at: null,
      });
      expect(await enrollmentsOf(t.orm, student.sourcedId)).toEqual([]);
      // Finalized at "0", it would have been placed a grade below and this delivery ignored.
      await deliver(100, '2026-12-01T10:05:00.000Z');
      expect(await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).toMatchObject({
        score: 100,
        finalized_at: expect.any(String),
      });
      expect((await enrollmentsOf(t.orm, student.sourcedId)).map((e) => e.course_sourced_id)).toEqual([
        tracked.courses['5'],
      ]);
    });

    it('a result written before any assignment is never adopted as an attempt with its score', async () => {
      const [somebody, student] = [await createStudent(t.orm), await createStudent(t.orm)];
      const { lesson } = await placement();
      // Another student's assignment makes the lesson's line item; then a gradebook client writes attempt 1 of ours.
      await assignMt({ student: somebody.sourcedId, lesson: lesson.sourcedId }).expect(200);
      const lineItem = (await resultRow(t.orm, somebody.sourcedId, lesson.sourcedId)).line_item_sourced_id;
      const forged = uid('forged');
      await put(forged, {
        assessmentLineItem: { sourcedId: lineItem },
        student: { sourcedId: student.sourcedId },
        scoreDate: new Date().toISOString(),
        score: 100,
        scoreStatus: 'fully graded',
        metadata: { attempt: 1, masteryTrackProcessed: true },
      }).expect(201);

      const assigned = await assignMt({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      expect(assigned.body.attempt).toBe(2);
      const [ledger] = await ledgerRows(t.orm, student.sourcedId);
      expect(ledger.result_sourced_id).not.toBe(forged);
      expect((await importResults(student.sourcedId, lesson.sourcedId).expect(200)).body.finalized).toBe(false);
      const attempts = (
        await auth(t.http().get(`${PP}/getAttempts`))
          .query({ student: student.sourcedId, lesson: lesson.sourcedId })
          .expect(200)
      ).body.attempts;
      expect(attempts).toEqual([expect.objectContaining({ attempt: 2, score: 0 })]);
      expect(await enrollmentsOf(t.orm, student.sourcedId)).toEqual([]);
    });
  });

  it("a gradebook write never sets what the service records about an attempt's state (finalized, enrollment, closed, toolReadAt)", async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm, {
      toolProvider: 'edulastic',
      vendorId: DEFAULT_EDULASTIC_TESTS[0].id,
      lessonType: 'test-out',
    });
    await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
    const row = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
    const gradebook = t.tokenFor('some-gradebook-app', Scope.GradebookCreatePut);
    const claims = {
      finalized: true,
      closed: true,
      enrollment: { status: 'enrolled', courseId: 'course-x' },
      enrollmentFailed: true,
      toolReadAt: '9999-12-31T23:59:59.999Z',
    };
    const own = { teacherNote: 'checked by hand' };
    // On the flow's open attempt, and on a result of the gradebook's own.
    await put(
      row.sourced_id,
      resultBody(row, student.sourcedId, { score: 97, scoreStatus: 'submitted', metadata: { ...claims, ...own } }),
      gradebook,
    ).expect(201);
    const other = await createStudent(t.orm);
    const theirs = uid('result');
    const made = await put(
      theirs,
      resultBody(row, other.sourcedId, { score: 50, scoreStatus: 'fully graded', metadata: { ...claims, ...own } }),
      gradebook,
    ).expect(201);
    for (const [id, answer] of [
      [row.sourced_id, (await auth(t.http().get(`${RESULTS}/${row.sourced_id}`)).expect(200)).body],
      [theirs, made.body],
    ]) {
      const metadata = answer.assessmentResult.metadata as Record<string, unknown>;
      expect([id, Object.keys(claims).filter((k) => k in metadata)]).toEqual([id, []]);
      expect(metadata).toMatchObject(own);
    }
    const progress = await auth(t.http().get(`${PP}/getAssessmentProgress`))
      .query({ student: student.sourcedId, lesson: lesson.sourcedId })
      .expect(200);
    expect(progress.body).toMatchObject({ finalized: false, score: 97 });
    expect(progress.body.closed).toBeUndefined();
    expect(await enrollmentsOf(t.orm, student.sourcedId)).toEqual([]);
  });

  it('a read-only caller may run the import (the tool decides) but never sees the password', async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm, {
      toolProvider: 'edulastic',
      vendorId: DEFAULT_EDULASTIC_TESTS[0].id,
      lessonType: 'unit-test',
    });
    const assigned = await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
    await toolState(t.sandboxes).eduSubmit(
      assigned.body.assignmentId,
      student.email,
      Array(DEFAULT_EDULASTIC_TESTS[0].questionCount).fill(1),
    );
    const readOnly = await t.token(Scope.PowerPathReadonly);
    const res = await importResults(student.sourcedId, lesson.sourcedId, readOnly).expect(200);
    expect(res.body).toMatchObject({ finalized: true, assignmentId: assigned.body.assignmentId });
    expect(res.body.credentials).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toContain(assigned.body.credentials.password);
    expect((await importResults(student.sourcedId, lesson.sourcedId).expect(200)).body.credentials).toEqual(
      assigned.body.credentials,
    );
  });

  it('deliveries are ordered by scoreDate: an older one is a no-op, a newer one applies (same status)', async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm, { lessonType: 'unit-test' });
    await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
    const row = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
    const at = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
    const deliver = (score: number, scoreStatus: string, minutes: number) =>
      put(row.sourced_id, resultBody(row, student.sourcedId, { score, scoreStatus, scoreDate: at(minutes) })).expect(
        201,
      );
    await deliver(90, 'fully graded', 2);
    await deliver(10, 'fully graded', 1);
    expect((await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).score).toBe(90);
    await deliver(0, 'exempt', 1);
    expect(await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).toMatchObject({
      score: 90,
      score_status: 'fully graded',
    });
    await deliver(95, 'fully graded', 3);
    expect((await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).score).toBe(95);
  });

  it("a line item's own range (read with the body's references) bounds the score", async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm, { lessonType: 'placement' });
    await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
    const row = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
    await t.orm.em
      .getConnection()
      .execute('update assessment_line_items set result_value_min = 5, result_value_max = 10 where sourced_id = ?', [
        row.line_item_sourced_id,
      ]);
    const write = (score: number) =>
      put(row.sourced_id, resultBody(row, student.sourcedId, { score, scoreStatus: 'partially graded' }));
    expect((await write(11).expect(422)).body.imsx_description).toMatch(/range 5–10/);
    expect((await write(4).expect(422)).body.imsx_description).toMatch(/range 5–10/);
    await write(10).expect(201);
    expect((await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).score).toBe(10);
  });

  it.each([-5, 101, 1e308])('a score of %s is outside the line item range: 422, nothing stored', async (score) => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm, { lessonType: 'placement' });
    await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
    const row = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
    const res = await put(
      row.sourced_id,
      resultBody(row, student.sourcedId, {
        score,
        scoreStatus: 'fully graded',
        metadata: { masteryTrackProcessed: true },
      }),
    ).expect(422);
    expect(res.body.imsx_description).toMatch(/range 0–100/);
    expect(await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).toMatchObject({
      score: null,
      score_status: 'not submitted',
      finalized_at: null,
    });
  });

  it('an Edulastic question scoring above its maximum is the tool’s fault: 502, nothing stored or finalized', async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm, {
      toolProvider: 'edulastic',
      vendorId: DEFAULT_EDULASTIC_TESTS[0].id,
      lessonType: 'placement',
    });
    const assigned = await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
    const state = await toolState(t.sandboxes).eduOf(student.email);
    const userId = state.users[0]._id;
    await sandboxControl(t.sandboxes, 'edulastic').fault({
      method: 'POST',
      path: `/api/assignments/${assigned.body.assignmentId}/classes/${assigned.body.classId}/test-activity`,
      status: 200,
      body: {
        students: [{ _id: userId, email: student.email }],
        testActivities: [
          { _id: 'a'.repeat(24), userId, status: 1, graded: 'GRADED', score: 1000, maxScore: 1, endDate: Date.now() },
        ],
        testQuestionActivities: [
          {
            testActivityId: 'a'.repeat(24),
            userId,
            qid: 'q1',
            score: 1000,
            maxScore: 1,
            correct: true,
            skipped: false,
          },
        ],
      },
    });
    const res = await importResults(student.sourcedId, lesson.sourcedId).expect(502);
    expect(res.body.imsx_codeMajor).toBe('failure');
    expect(await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).toMatchObject({
      score: null,
      finalized_at: null,
    });
    expect(await countRows(t.orm, 'assessment_results where student_sourced_id = ?', [student.sourcedId])).toBe(1);
  });

  it('a deleted attempt is void: the next assignment starts a fresh attempt with a fresh tool assignment', async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm, { lessonType: 'unit-test' });
    const first = await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
    const row = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
    await auth(t.http().delete(`${RESULTS}/${row.sourced_id}`)).expect(204);
    await importResults(student.sourcedId, lesson.sourcedId).expect(422);
    const next = await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
    expect(next.body.attempt).toBe(2);
    expect(next.body.assignmentId).not.toBe(first.body.assignmentId);
  });

  it('finalization commits with the write-back or not at all: a failure inside it rolls the delivery back, the redelivery finalizes', async () => {
    const student = await createStudent(t.orm);
    const { tracked, lesson } = await placement();
    const assigned = await assignMt({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
    const row = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
    let failures = 1;
    t.recoveryPoints.current = (point, at) => {
      if (point === 'finalizing' && at.resultSourcedId === row.sourced_id && failures-- > 0)
        throw new Error('the database went away mid-finalization');
    };
    try {
      const failed = await toolState(t.sandboxes).mtComplete(assigned.body.assignmentId, student.sourcedId, 97);
      expect(failed.status).toBe(500);
      expect(await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).toMatchObject({
        score: null,
        score_status: 'not submitted',
        finalized_at: null,
      });
      const again = await request(t.sandboxes.masteryTrack.url)
        .post(`/__sandbox/assignments/${assigned.body.assignmentId}/redeliver`)
        .send({})
        .expect(200);
      expect(again.body.data.writeBack.status).toBe(201);
    } finally {
      t.recoveryPoints.current = undefined;
    }
    expect(await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).toMatchObject({
      score: 97,
      score_status: 'fully graded',
      finalized_at: expect.anything(),
    });
    expect((await enrollmentsOf(t.orm, student.sourcedId)).map((e) => e.course_sourced_id)).toEqual([
      tracked.courses['5'],
    ]);
  });
});
