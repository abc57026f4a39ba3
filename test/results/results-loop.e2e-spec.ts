import request from 'supertest';
import { RequestContext } from '@mikro-orm/core';
import { AssignmentReconciler } from '@external-tests/assignments';
import { MAX_SOURCED_ID_LENGTH } from '@external-tests/common';
import { AttemptLedgerRepository, Course } from '@external-tests/persistence';
import { DEFAULT_EDULASTIC_TESTS, DEFAULT_MASTERY_TRACK_TESTS } from '@external-tests/sandbox';
import { createLesson, createStudent, uid } from '../helpers/fixtures';
import { createTrackedSubject, enrollmentsOf } from '../helpers/lesson-setup';
import { countRows, ledgerRow, ledgerRows, resultRow } from '../helpers/rows';
import { toolState } from '../helpers/tool-state';
import { delayMasteryTrackAssign, sandboxControl } from '../helpers/sandbox-control';
import { createTestApp, TestApp } from '../helpers/test-app';
import { expectMatchesSchema, powerPathResponseValidator } from '../helpers/upstream-schema';

const PP = '/powerpath';
const RESULTS = '/ims/oneroster/gradebook/v1p2/assessmentResults';
const eduTest = DEFAULT_EDULASTIC_TESTS[0];
const mtTest = DEFAULT_MASTERY_TRACK_TESTS[0];

describe('results loop: write-back, import, attempts, enrollment', () => {
  let t: TestApp;
  let token: string;
  const auth = (r: request.Test, bearer = token) => r.set('Authorization', `Bearer ${bearer}`);
  const assign = (body: object) => auth(t.http().post(`${PP}/makeExternalTestAssignment`)).send(body);
  // The tracked subjects are unique per test (isolated tracks), so MasteryTrack gets an explicit test.
  const assignMt = (body: object) => assign({ ...body, testId: mtTest.timeback_id });
  const importResults = (student: string, lesson: string) =>
    auth(t.http().get(`${PP}/importExternalTestAssignmentResults`)).query({ student, lesson });
  const progress = (student: string, lesson: string) =>
    auth(t.http().get(`${PP}/getAssessmentProgress`)).query({ student, lesson });
  const mtControl = () => request(t.sandboxes.masteryTrack.url);
  /** A OneRoster PUT of a stored result (its id, line item and student kept), dated now, with `fields`. */
  const putResult = (row: Record<string, any>, student: string, fields: Record<string, unknown>) =>
    auth(t.http().put(`${RESULTS}/${row.sourced_id}`)).send({
      assessmentResult: {
        sourcedId: row.sourced_id,
        assessmentLineItem: { sourcedId: row.line_item_sourced_id },
        student: { sourcedId: student },
        scoreDate: new Date().toISOString(),
        ...fields,
      },
    });

  /** The student finishes the MasteryTrack test; the sandbox writes the result back to us. */
  async function completeMasteryTrack(assignmentId: string, student: string, score: number) {
    const res = await mtControl()
      .post(`/__sandbox/assignments/${assignmentId}/complete`)
      .send({ score, totalQuestions: 20, correctQuestions: Math.round(score / 5), studentSourcedId: student })
      .expect(200);
    expect(res.body.data.writeBack.status).toBe(201);
    return res.body.data.writeBack.body;
  }

  async function mtLesson(lessonType: string, o: { courseIdOnFail?: string; subject?: string; grade?: string } = {}) {
    const tracked = await createTrackedSubject(t.orm);
    const lesson = await createLesson(t.orm, {
      toolProvider: 'mastery-track',
      lessonType,
      subject: 'Math',
      grades: [o.grade ?? '4'],
      resourceMetadata: {
        subject: o.subject ?? tracked.subject,
        ...(o.courseIdOnFail ? { courseIdOnFail: o.courseIdOnFail } : {}),
      },
    });
    return { tracked, lesson };
  }

  beforeAll(async () => {
    t = await createTestApp();
    token = await t.token();
  });
  afterAll(() => t.close());

  describe('MasteryTrack', () => {
    it('assign → complete → write-back → finalized → enrolled in the next grade (placement ≥ 90)', async () => {
      const student = await createStudent(t.orm);
      const { tracked, lesson } = await mtLesson('placement');
      const assigned = await assignMt({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);

      await completeMasteryTrack(assigned.body.assignmentId, student.sourcedId, 95);

      const row = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
      expect(row).toMatchObject({ score: 95, score_status: 'fully graded' });
      expect(row.finalized_at).not.toBeNull();
      expect(row.metadata).toMatchObject({
        masteryTrackProcessed: true,
        assignmentId: assigned.body.assignmentId,
        attempt: 1,
        totalQuestions: 20,
      });

      const imported = await importResults(student.sourcedId, lesson.sourcedId).expect(200);
      expectMatchesSchema(
        powerPathResponseValidator(`${PP}/importExternalTestAssignmentResults`, 'get'),
        imported.body,
      );
      expect(imported.body).toMatchObject({
        finalized: true,
        attempt: 1,
        toolProvider: 'mastery-track',
        lessonId: lesson.sourcedId,
        assignmentId: assigned.body.assignmentId,
      });

      const p = await progress(student.sourcedId, lesson.sourcedId).expect(200);
      expect(p.body).toMatchObject({
        finalized: true,
        score: 95,
        enrollmentFailed: false,
        attempt: 1,
        totalQuestions: 20,
        correctQuestions: 19,
      });
      expect(await enrollmentsOf(t.orm, student.sourcedId)).toEqual([
        { class_sourced_id: tracked.grade5Class, course_sourced_id: tracked.courses['5'] },
      ]);
    });

    it('a student and a course with the longest ids get a class and an enrollment the OneRoster API can name', async () => {
      const long = (prefix: string) => `${uid(prefix)}-`.padEnd(255, 'x');
      const student = await createStudent(t.orm, { sourcedId: long('student') });
      const { tracked, lesson } = await mtLesson('placement');
      // Grade 5's course has a long id and no class: finalization makes one.
      const course = long('course');
      const em = t.orm.em.fork();
      em.create(Course, { sourcedId: course, title: 'Long 5', orgSourcedId: tracked.org });
      await em.flush();
      await em
        .getConnection()
        .execute('update subject_tracks set course_sourced_id = ? where subject = ? and grade = ?', [
          course,
          tracked.subject,
          '5',
        ]);
      const assigned = await assignMt({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      await completeMasteryTrack(assigned.body.assignmentId, student.sourcedId, 95);

      const [enrolled] = await enrollmentsOf(t.orm, student.sourcedId);
      expect(enrolled.course_sourced_id).toBe(course);
      const [{ sourced_id: enrollment }] = await t.orm.em
        .fork()
        .getConnection()
        .execute<
          { sourced_id: string }[]
        >('select sourced_id from enrollments where user_sourced_id = ?', [student.sourcedId]);
      for (const [path, id] of [
        ['classes', enrolled.class_sourced_id],
        ['enrollments', enrollment],
      ]) {
        expect(id.length).toBeLessThanOrEqual(MAX_SOURCED_ID_LENGTH);
        await auth(t.http().get(`/ims/oneroster/rostering/v1p2/${path}/${encodeURIComponent(id)}`)).expect(200);
      }
      // The retake's finalization enrols the student in that class again: the same enrollment, still one.
      const retake = await assignMt({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      expect(retake.body.attempt).toBe(2);
      await completeMasteryTrack(retake.body.assignmentId, student.sourcedId, 97);
      expect(await countRows(t.orm, 'enrollments where user_sourced_id = ?', [student.sourcedId])).toBe(1);
      expect(await countRows(t.orm, 'classes where course_sourced_id = ?', [course])).toBe(1);
    });

    describe('finalization enrols the student once, in a class of the course, and never under what is not its own', () => {
      /** A placement below 90 without courseIdOnFail: the student belongs in the grade-4 course, which has no class. */
      async function finishBelow(o: {
        before?: (tracked: Awaited<ReturnType<typeof createTrackedSubject>>, student: string) => Promise<void>;
      }) {
        const student = await createStudent(t.orm);
        const { tracked, lesson } = await mtLesson('placement');
        await o.before?.(tracked, student.sourcedId);
        const assigned = await assignMt({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
        await completeMasteryTrack(assigned.body.assignmentId, student.sourcedId, 50);
        const p = await progress(student.sourcedId, lesson.sourcedId).expect(200);
        const { enrollment } = (await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).metadata;
        return { student: student.sourcedId, tracked, lesson, enrollmentFailed: p.body.enrollmentFailed, enrollment };
      }
      const sql = (query: string, params: unknown[]) => t.orm.em.fork().getConnection().execute(query, params);
      const insertClass = (id: string, course: string, status: string) =>
        sql(
          `insert into classes (sourced_id, title, class_type, course_sourced_id, status) values (?, 'C', 'scheduled', ?, ?)`,
          [id, course, status],
        );
      const insertEnrollment = (id: string, user: string, klass: string, role = 'student') =>
        sql(`insert into enrollments (sourced_id, role, user_sourced_id, class_sourced_id) values (?, ?, ?, ?)`, [
          id,
          role,
          user,
          klass,
        ]);
      const enrollmentRows = (student: string) =>
        sql(
          `select sourced_id, class_sourced_id, status from enrollments where user_sourced_id = ? order by sourced_id`,
          [student],
        );

      it('makes the class the course lacks and enrols the student in it', async () => {
        const first = await finishBelow({});
        const klass = `class-${first.tracked.courses['4']}`;
        expect(first.enrollment).toMatchObject({
          status: 'enrolled',
          courseId: first.tracked.courses['4'],
          classId: klass,
        });
        expect(await enrollmentRows(first.student)).toEqual([
          { sourced_id: `enr-${first.student}-${klass}`, class_sourced_id: klass, status: 'active' },
        ]);
      });

      it("the class id it makes is a deleted class's or another course's: a failed enrollment saying so, nothing taken over", async () => {
        for (const taken of ['deleted', 'another course'] as const) {
          let klass = '';
          const r = await finishBelow({
            before: async (tracked) => {
              klass = `class-${tracked.courses['4']}`;
              if (taken === 'deleted') await insertClass(klass, tracked.courses['4'], 'tobedeleted');
              else await insertClass(klass, tracked.courses['3'], 'active');
            },
          });
          expect(r.enrollmentFailed).toBe(true);
          expect(r.enrollment).toEqual({
            status: 'failed',
            courseId: r.tracked.courses['4'],
            reason:
              `the course has no active class, and class '${klass}', which finalization makes for it, is deleted or ` +
              "another course's: give the course an active class",
          });
          expect(await enrollmentRows(r.student)).toEqual([]);
          expect(await sql('select course_sourced_id, status from classes where sourced_id = ?', [klass])).toEqual([
            taken === 'deleted'
              ? { course_sourced_id: r.tracked.courses['4'], status: 'tobedeleted' }
              : { course_sourced_id: r.tracked.courses['3'], status: 'active' },
          ]);
        }
      });

      it("the student is in a class of the course already (a roster's own enrollment): enrolled there, not twice", async () => {
        const r = await finishBelow({
          before: async (tracked, student) => {
            // The course's first class is another: the student stays in the one the roster put them in.
            await insertClass(`${tracked.courses['4']}-a`, tracked.courses['4'], 'active');
            await insertClass(`${tracked.courses['4']}-roster`, tracked.courses['4'], 'active');
            await insertEnrollment(`roster-${student}`, student, `${tracked.courses['4']}-roster`);
          },
        });
        expect(r.enrollment).toMatchObject({ status: 'enrolled', classId: `${r.tracked.courses['4']}-roster` });
        expect(await enrollmentRows(r.student)).toEqual([
          { sourced_id: `roster-${r.student}`, class_sourced_id: `${r.tracked.courses['4']}-roster`, status: 'active' },
        ]);
      });

      it("the enrollment id it makes is another user's: a failed enrollment saying so, that enrollment untouched", async () => {
        const other = await createStudent(t.orm);
        let klass = '';
        const r = await finishBelow({
          before: async (tracked, student) => {
            klass = `${tracked.courses['4']}-a`;
            await insertClass(klass, tracked.courses['4'], 'active');
            await insertEnrollment(`enr-${student}-${klass}`, other.sourcedId, klass);
            await sql(`update enrollments set status = 'tobedeleted' where sourced_id = ?`, [
              `enr-${student}-${klass}`,
            ]);
          },
        });
        expect(r.enrollment).toEqual({
          status: 'failed',
          courseId: r.tracked.courses['4'],
          classId: klass,
          reason: `enrollment 'enr-${r.student}-${klass}', which finalization makes for the student in this class, is another user's, class's or role's`,
        });
        expect(await enrollmentRows(r.student)).toEqual([]);
        expect(await enrollmentRows(other.sourcedId)).toEqual([
          { sourced_id: `enr-${r.student}-${klass}`, class_sourced_id: klass, status: 'tobedeleted' },
        ]);
      });

      it('its own enrollment deleted since: the retake enrols the student again under it', async () => {
        const r = await finishBelow({});
        const klass = `class-${r.tracked.courses['4']}`;
        await sql(`update enrollments set status = 'tobedeleted' where user_sourced_id = ?`, [r.student]);
        const retake = await assignMt({ student: r.student, lesson: r.lesson.sourcedId }).expect(200);
        expect(retake.body.attempt).toBe(2);
        await completeMasteryTrack(retake.body.assignmentId, r.student, 40);
        expect(await enrollmentRows(r.student)).toEqual([
          { sourced_id: `enr-${r.student}-${klass}`, class_sourced_id: klass, status: 'active' },
        ]);
      });
    });

    it("a deleted attempt is void: its tool's late write-back neither revives nor finalizes it while the next one is open", async () => {
      const student = await createStudent(t.orm);
      const { lesson } = await mtLesson('placement');
      const ids = { student: student.sourcedId, lesson: lesson.sourcedId };
      const first = await assignMt(ids).expect(200);
      const row = await resultRow(t.orm, ids.student, ids.lesson);
      await auth(t.http().delete(`${RESULTS}/${row.sourced_id}`)).expect(204);
      // Over: a poller waiting for attempt 1 to be final stops.
      expect((await progress(ids.student, ids.lesson).expect(200)).body).toMatchObject({
        attempt: 1,
        finalized: false,
        closed: true,
      });
      // An import says why there is nothing to read, and what to do.
      const imported = await importResults(ids.student, ids.lesson).expect(422);
      expect([imported.body.imsx_description, imported.body.imsx_error_details[0].code]).toEqual([
        'Attempt 1 of this lesson is void (its result was deleted): make a new assignment with ' +
          'makeExternalTestAssignment, then import its results',
        'NO_ASSIGNMENT',
      ]);
      // Attempt 2 on another test: the first one is still live at MasteryTrack (nothing withdrew it).
      const second = await assign({ ...ids, testId: DEFAULT_MASTERY_TRACK_TESTS[1].timeback_id }).expect(200);
      expect(second.body.attempt).toBe(2);

      // The student still sits the first assignment; MasteryTrack writes back to the result it was given.
      const late = await mtControl()
        .post(`/__sandbox/assignments/${first.body.assignmentId}/complete`)
        .send({ score: 30, totalQuestions: 20, correctQuestions: 6, studentSourcedId: ids.student })
        .expect(200);
      expect([200, 201]).toContain(late.body.data.writeBack.status);
      expect(await resultRow(t.orm, ids.student, ids.lesson)).toMatchObject({
        status: 'tobedeleted',
        finalized_at: null,
        score: null,
      });
      expect(await enrollmentsOf(t.orm, ids.student)).toEqual([]);
      expect((await progress(ids.student, ids.lesson).expect(200)).body).toMatchObject({
        attempt: 2,
        finalized: false,
      });
    });

    it("reconciliation withdraws a void attempt's assignment at MasteryTrack, once; an Edulastic one is not listed", async () => {
      const student = await createStudent(t.orm);
      const { lesson } = await mtLesson('placement');
      const edu = await createLesson(t.orm, {
        toolProvider: 'edulastic',
        lessonType: 'unit-test',
        vendorId: eduTest.id,
      });
      const ids = { student: student.sourcedId, lesson: lesson.sourcedId };
      const first = await assignMt(ids).expect(200);
      await assign({ student: ids.student, lesson: edu.sourcedId }).expect(200);
      for (const l of [lesson.sourcedId, edu.sourcedId])
        await auth(t.http().delete(`${RESULTS}/${(await resultRow(t.orm, ids.student, l)).sourced_id}`)).expect(204);
      const mtState = async () =>
        (await toolState(t.sandboxes).mtAssignments(student.email)).find(
          (a) => String(a.id) === first.body.assignmentId,
        )?.status;
      expect(await mtState()).not.toBe('INVALIDATED');
      const reconcile = () => RequestContext.create(t.orm.em, () => t.app.get(AssignmentReconciler).reconcile());
      expect((await reconcile()).failed).toBe(0);
      expect(await mtState()).toBe('INVALIDATED');
      const rows = await ledgerRows(t.orm, ids.student);
      expect(rows.map((r) => [r.lesson_sourced_id, r.state, r.withdrawn_at === null])).toEqual(
        expect.arrayContaining([
          [lesson.sourcedId, 'assigned', false],
          [edu.sourcedId, 'assigned', true],
        ]),
      );
      // Nothing left for either: the next run withdraws nothing of this student's.
      const listed = await RequestContext.create(t.orm.em, () =>
        t.app.get(AttemptLedgerRepository).purposeless(100, ['mastery-track', 'edulastic']),
      );
      expect(listed.filter((p) => p.studentSourcedId === ids.student).map((p) => p.tool)).toEqual(['edulastic']);
      expect(
        (
          await RequestContext.create(t.orm.em, () =>
            t.app.get(AttemptLedgerRepository).purposeless(100, ['mastery-track']),
          )
        ).filter((p) => p.studentSourcedId === ids.student),
      ).toEqual([]);
    });

    it('reconciliation withdraws at the email the assignment was made for, though the student has another one since', async () => {
      const student = await createStudent(t.orm);
      const { lesson } = await mtLesson('placement');
      const made = await assignMt({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      await t.orm.em
        .fork()
        .getConnection()
        .execute('update users set email = ? where sourced_id = ?', [`moved-${student.email}`, student.sourcedId]);
      await auth(
        t.http().delete(`${RESULTS}/${(await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).sourced_id}`),
      ).expect(204);
      const reconcile = () => RequestContext.create(t.orm.em, () => t.app.get(AssignmentReconciler).reconcile());
      expect((await reconcile()).failed).toBe(0);
      const [at] = (await toolState(t.sandboxes).mtAssignments(student.email)).filter(
        (a) => String(a.id) === made.body.assignmentId,
      );
      expect(at.status).toBe('INVALIDATED');
    });

    it("a result's status reaches its ledger row whoever changes it: the withdrawal scan lists exactly the void attempts", async () => {
      const student = await createStudent(t.orm);
      const [a, b] = [(await mtLesson('placement')).lesson, (await mtLesson('test-out')).lesson];
      // Each lesson its own test: one test is held by one lesson of a student.
      for (const [i, l] of [a, b].entries())
        await assign({
          student: student.sourcedId,
          lesson: l.sourcedId,
          testId: DEFAULT_MASTERY_TRACK_TESTS[i].timeback_id,
        }).expect(200);
      const [ra, rb] = [
        await resultRow(t.orm, student.sourcedId, a.sourcedId),
        await resultRow(t.orm, student.sourcedId, b.sourcedId),
      ];
      const listed = async () =>
        (
          await RequestContext.create(t.orm.em, () =>
            t.app.get(AttemptLedgerRepository).purposeless(1000, ['mastery-track']),
          )
        )
          .filter((p) => p.studentSourcedId === student.sourcedId)
          .map((p) => p.resultSourcedId)
          .sort();
      expect(await listed()).toEqual([]);

      // The OneRoster DELETE voids one attempt.
      await auth(t.http().delete(`${RESULTS}/${ra.sourced_id}`)).expect(204);
      expect(await listed()).toEqual([ra.sourced_id]);
      // A PUT that marks the other tobedeleted voids it too.
      await putResult(rb, student.sourcedId, { status: 'tobedeleted', scoreStatus: 'not submitted' }).expect((r) =>
        expect([200, 201]).toContain(r.status),
      );
      expect((await resultRow(t.orm, student.sourcedId, b.sourcedId)).status).toBe('tobedeleted');
      expect(await listed()).toEqual([ra.sourced_id, rb.sourced_id].sort());
      // A writer this service does not know of (an operator's update) makes it active again: no longer listed.
      await t.orm.em
        .fork()
        .getConnection()
        .execute(`update assessment_results set status = 'active' where sourced_id = ?`, [rb.sourced_id]);
      expect(await listed()).toEqual([ra.sourced_id]);
      // Every ledger row of this worker's database (other suites' attempts too) agrees with its result.
      expect(
        await countRows(
          t.orm,
          `tool_assignments ta join assessment_results ar on ar.sourced_id = ta.result_sourced_id
           where ta.result_void is distinct from (ar.status <> 'active')`,
          [],
        ),
      ).toBe(0);
      expect(
        await countRows(t.orm, `tool_assignments where student_sourced_id = ? and result_void`, [student.sourcedId]),
      ).toBe(1);
    });

    it('a repeated (5×) and out-of-order write-back ends in the same final state, enrolled once', async () => {
      const student = await createStudent(t.orm);
      const { lesson } = await mtLesson('test-out');
      const assigned = await assignMt({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      await completeMasteryTrack(assigned.body.assignmentId, student.sourcedId, 92);
      const final = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);

      for (let i = 0; i < 5; i++) {
        const again = await mtControl()
          .post(`/__sandbox/assignments/${assigned.body.assignmentId}/redeliver`)
          .send({})
          .expect(200);
        expect(again.body.data.writeBack.status).toBe(201);
      }
      const late = await mtControl()
        .post(`/__sandbox/assignments/${assigned.body.assignmentId}/redeliver`)
        .send({
          scoreStatus: 'not submitted',
          score: 0,
          metadata: { masteryTrackProcessed: false, assignmentId: 'forged' },
        })
        .expect(200);
      expect(late.body.data.writeBack.status).toBe(201);

      const after = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
      expect(after).toEqual(final);
      expect(await enrollmentsOf(t.orm, student.sourcedId)).toHaveLength(1);
    });

    it('keeps a write-back that lands between the tool answer and our commit (found by the interleavings property)', async () => {
      const student = await createStudent(t.orm);
      const { lesson } = await mtLesson('unit-test');
      // The student finishes and MasteryTrack writes back after it made the assignment, before we record it.
      t.recoveryPoints.current = async (point, at) => {
        if (point !== 'assignment.made' || at.studentSourcedId !== student.sourcedId) return;
        const assignments = (await mtControl().get('/__sandbox/assignments').expect(200)).body.data as {
          id: number;
          student_email: string;
        }[];
        const mine = assignments.find((a) => a.student_email === student.email)!;
        await completeMasteryTrack(String(mine.id), student.sourcedId, 88);
      };
      try {
        await assignMt({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      } finally {
        t.recoveryPoints.current = undefined;
      }
      const row = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
      expect(row).toMatchObject({ score: 88, score_status: 'fully graded' });
      expect((await ledgerRow(t.orm, row.sourced_id)).state).toBe('assigned');
      expect(row.finalized_at).not.toBeNull();
    });

    it('honours skipCourseEnrollment', async () => {
      const student = await createStudent(t.orm);
      const { lesson } = await mtLesson('placement');
      const assigned = await assignMt({
        student: student.sourcedId,
        lesson: lesson.sourcedId,
        skipCourseEnrollment: true,
      }).expect(200);
      await completeMasteryTrack(assigned.body.assignmentId, student.sourcedId, 97);
      expect((await progress(student.sourcedId, lesson.sourcedId).expect(200)).body).toMatchObject({
        finalized: true,
        enrollmentFailed: false,
      });
      expect(await enrollmentsOf(t.orm, student.sourcedId)).toEqual([]);
      expect((await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).metadata.enrollment).toMatchObject({
        status: 'skipped',
      });
    });

    it.each([
      ['placement below 90 with courseIdOnFail → the fallback course', 'placement', 50, true, 'fallback'],
      ['placement below 90 without courseIdOnFail → the track of its own grade', 'placement', 50, false, '4'],
      ['test-out below 90 → no enrollment', 'test-out', 60, false, undefined],
      ['unit test → never enrols', 'unit-test', 100, false, undefined],
    ])('%s', async (_name, lessonType, score, withFallback, expectedCourse) => {
      const student = await createStudent(t.orm);
      const tracked = await createTrackedSubject(t.orm);
      const lesson = await createLesson(t.orm, {
        toolProvider: 'mastery-track',
        lessonType,
        grades: ['4'],
        resourceMetadata: {
          subject: tracked.subject,
          ...(withFallback ? { courseIdOnFail: tracked.courses.fallback } : {}),
        },
      });
      const assigned = await assignMt({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      await completeMasteryTrack(assigned.body.assignmentId, student.sourcedId, score);
      const enrolled = await enrollmentsOf(t.orm, student.sourcedId);
      if (expectedCourse) expect(enrolled.map((e) => e.course_sourced_id)).toEqual([tracked.courses[expectedCourse]]);
      else expect(enrolled).toEqual([]);
      expect((await progress(student.sourcedId, lesson.sourcedId).expect(200)).body.enrollmentFailed).toBe(false);
    });

    it("a lesson's grade in OneRoster's spelling (04) finds the track put as 4, and one put as 05 is grade 5's", async () => {
      for (const [score, expected] of [
        [50, '4'],
        [95, 'fallback'],
      ] as const) {
        const student = await createStudent(t.orm);
        const { tracked, lesson } = await mtLesson('placement', { grade: '04' });
        // Grade 5's track moved to another course, put as a roster would spell it: stored as finalization looks it up.
        await auth(t.http().put('/edubridge/subject-track/'))
          .send({ subject: tracked.subject, grade: '05', courseId: tracked.courses.fallback })
          .expect(200);
        const assigned = await assignMt({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
        await completeMasteryTrack(assigned.body.assignmentId, student.sourcedId, score);
        expect((await enrollmentsOf(t.orm, student.sourcedId)).map((e) => e.course_sourced_id)).toEqual([
          tracked.courses[expected],
        ]);
      }
    });

    it('a missing subject track sets enrollmentFailed instead of failing', async () => {
      const student = await createStudent(t.orm);
      const tracked = await createTrackedSubject(t.orm, ['3']);
      const lesson = await createLesson(t.orm, {
        toolProvider: 'mastery-track',
        lessonType: 'test-out',
        grades: ['4'],
        resourceMetadata: { subject: tracked.subject },
      });
      const assigned = await assignMt({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      await completeMasteryTrack(assigned.body.assignmentId, student.sourcedId, 100);
      const p = await progress(student.sourcedId, lesson.sourcedId).expect(200);
      expect(p.body).toMatchObject({ finalized: true, enrollmentFailed: true });
      expect(await enrollmentsOf(t.orm, student.sourcedId)).toEqual([]);
    });

    it('starts attempt 2 after a finalized attempt 1, and lists both', async () => {
      const student = await createStudent(t.orm);
      const { lesson } = await mtLesson('unit-test');
      const first = await assignMt({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      await auth(t.http().post(`${PP}/createNewAttempt`))
        .send({ student: student.sourcedId, lesson: lesson.sourcedId })
        .expect(422);
      await completeMasteryTrack(first.body.assignmentId, student.sourcedId, 80);

      const second = await assignMt({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      expect(second.body.attempt).toBe(2);
      expect(second.body.assignmentId).not.toBe(first.body.assignmentId);

      const attempts = await auth(t.http().get(`${PP}/getAttempts`))
        .query({ student: student.sourcedId, lesson: lesson.sourcedId })
        .expect(200);
      expectMatchesSchema(powerPathResponseValidator(`${PP}/getAttempts`, 'get'), attempts.body);
      expect(
        attempts.body.attempts.map((a: { attempt: number; scoreStatus: string }) => [a.attempt, a.scoreStatus]),
      ).toEqual([
        [1, 'fully graded'],
        [2, 'not submitted'],
      ]);
      expect(attempts.body.attempts[0].completedAt).not.toBeNull();
    });

    it('createNewAttempt after a finalized attempt; resetAttempt sets the score to 0', async () => {
      const student = await createStudent(t.orm);
      const { lesson } = await mtLesson('unit-test');
      const first = await assignMt({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      await completeMasteryTrack(first.body.assignmentId, student.sourcedId, 70);

      const created = await auth(t.http().post(`${PP}/createNewAttempt`))
        .send({ student: student.sourcedId, lesson: lesson.sourcedId })
        .expect(200);
      expectMatchesSchema(powerPathResponseValidator(`${PP}/createNewAttempt`, 'post'), created.body);
      expect(created.body.attempt).toMatchObject({ attempt: 2, score: 0, scoreStatus: 'not submitted' });
      const assigned = await assignMt({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      expect(assigned.body.attempt).toBe(2);

      const reset = await auth(t.http().post(`${PP}/resetAttempt`))
        .send({ student: student.sourcedId, lesson: lesson.sourcedId })
        .expect(200);
      expectMatchesSchema(powerPathResponseValidator(`${PP}/resetAttempt`, 'post'), reset.body);
      expect(reset.body).toEqual({ success: true, score: 0 });
    });
  });

  describe('Edulastic', () => {
    const submit = (
      assignmentId: string,
      email: string,
      answers: ({ score: number; maxScore: number } | null)[],
      graded = 'GRADED',
      submittedAt?: number,
    ) =>
      request(t.sandboxes.edulastic.url)
        .post('/api/__sandbox/submit')
        .send({ assignmentId, email, answers, graded, submittedAt })
        .expect(200);
    /** A unit test on Edulastic (`eduTest` unless another test is named). */
    const eduLesson = (vendorId: string = eduTest.id) =>
      createLesson(t.orm, { toolProvider: 'edulastic', lessonType: 'unit-test', vendorId });

    it("a lesson's class past one gradebook page (42 students): each import reads its own student's page, at most two calls", async () => {
      const lesson = await eduLesson();
      const students = [];
      // Every student's first attempt shares the lesson's class; one after another, so the class's order is known.
      for (let i = 0; i < 42; i++) students.push(await createStudent(t.orm));
      const assigned = [];
      for (const s of students)
        assigned.push((await assign({ student: s.sourcedId, lesson: lesson.sourcedId }).expect(200)).body);
      expect(new Set(assigned.map((a) => a.classId)).size).toBe(1);
      const all = Array.from({ length: eduTest.questionCount }, () => ({ score: 1, maxScore: 1 }));
      const half = all.map((a, i) => (i % 2 === 0 ? a : { score: 0, maxScore: 1 }));
      // The first student (page 0) and the last (the page after it).
      await submit(assigned[0].assignmentId, students[0].email, all);
      await submit(assigned[41].assignmentId, students[41].email, half);

      const pages: number[] = [];
      for (const [i, expected] of [
        [0, 100],
        [41, (Math.ceil(eduTest.questionCount / 2) / eduTest.questionCount) * 100],
      ] as const) {
        const before = (await sandboxControl(t.sandboxes, 'edulastic').calls()).length;
        const imported = await importResults(students[i].sourcedId, lesson.sourcedId).expect(200);
        expect(imported.body).toMatchObject({ finalized: true, assignmentId: assigned[i].assignmentId });
        expect((await resultRow(t.orm, students[i].sourcedId, lesson.sourcedId)).score).toBeCloseTo(expected, 2);
        pages.push(
          (await sandboxControl(t.sandboxes, 'edulastic').calls())
            .slice(before)
            .filter((c) => c.path.endsWith('/test-activity')).length,
        );
      }
      expect(pages).toEqual([1, 2]);
      // A student of the second page who has not submitted is read as not submitted, not as someone else.
      expect((await importResults(students[40].sourcedId, lesson.sourcedId).expect(200)).body).toMatchObject({
        finalized: false,
      });
    });

    it('assign → submit → import pulls score and per-question results → finalized → enrolled', async () => {
      const student = await createStudent(t.orm);
      const tracked = await createTrackedSubject(t.orm);
      const lesson = await createLesson(t.orm, {
        toolProvider: 'edulastic',
        lessonType: 'test-out',
        vendorId: eduTest.id,
        grades: ['4'],
        resourceMetadata: { subject: tracked.subject },
      });
      const assigned = await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);

      const before = await importResults(student.sourcedId, lesson.sourcedId).expect(200);
      expect(before.body).toMatchObject({ finalized: false, attempt: 1, credentials: assigned.body.credentials });

      const answers = Array.from({ length: eduTest.questionCount }, (_, i) => ({
        score: i === 0 ? 0.5 : 1,
        maxScore: 1,
      }));
      await submit(assigned.body.assignmentId, student.email, answers);
      const imported = await importResults(student.sourcedId, lesson.sourcedId).expect(200);
      expectMatchesSchema(
        powerPathResponseValidator(`${PP}/importExternalTestAssignmentResults`, 'get'),
        imported.body,
      );
      expect(imported.body).toMatchObject({
        finalized: true,
        toolProvider: 'edulastic',
        assignmentId: assigned.body.assignmentId,
      });

      const expectedScore = ((eduTest.questionCount - 0.5) / eduTest.questionCount) * 100;
      const row = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
      expect(row.score).toBeCloseTo(expectedScore, 2);
      expect(row.score_status).toBe('fully graded');
      expect(await countRows(t.orm, 'assessment_results where sourced_id like ?', [`${row.sourced_id}-q%`])).toBe(
        eduTest.questionCount,
      );
      expect(await enrollmentsOf(t.orm, student.sourcedId)).toEqual([
        { class_sourced_id: tracked.grade5Class, course_sourced_id: tracked.courses['5'] },
      ]);

      const calls = (await sandboxControl(t.sandboxes, 'edulastic').calls()).length;
      const again = await importResults(student.sourcedId, lesson.sourcedId).expect(200);
      expect(again.body).toEqual(imported.body);
      expect((await sandboxControl(t.sandboxes, 'edulastic').calls()).length).toBe(calls);

      // The imported questions, in the test's order, each with its score, linking to the student's test.
      const shown = await progress(student.sourcedId, lesson.sourcedId).expect(200);
      expectMatchesSchema(powerPathResponseValidator(`${PP}/getAssessmentProgress`, 'get'), shown.body);
      expect(shown.body.questions).toHaveLength(eduTest.questionCount);
      expect(shown.body.questions.map((q: { index: number }) => q.index)).toEqual(
        Array.from({ length: eduTest.questionCount }, (_, i) => i),
      );
      expect(shown.body.questions[0]).toMatchObject({
        title: 'Question 1',
        url: assigned.body.testUrl,
        correct: false,
        result: { score: 0.5 },
      });
      expect(shown.body.questions.slice(1).every((q: { correct: boolean }) => q.correct)).toBe(true);
      expect(shown.body).toMatchObject({ correctQuestions: eduTest.questionCount - 1 });
    });

    it("a question worth more points at a later read (the test was edited) widens its line item's range, so its results round-trip", async () => {
      const lesson = await eduLesson();
      const [first, second] = [await createStudent(t.orm), await createStudent(t.orm)];
      const answers = (points: number) =>
        Array.from({ length: eduTest.questionCount }, () => ({ score: points, maxScore: points }));
      for (const [student, points] of [
        [first, 1],
        [second, 5],
      ] as const) {
        const assigned = await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
        await submit(assigned.body.assignmentId, student.email, answers(points));
        expect((await importResults(student.sourcedId, lesson.sourcedId).expect(200)).body.finalized).toBe(true);
      }
      const row = await resultRow(t.orm, second.sourcedId, lesson.sourcedId);
      const lineItem = await auth(
        t.http().get(`/ims/oneroster/gradebook/v1p2/assessmentLineItems/${row.line_item_sourced_id}-q1`),
      ).expect(200);
      expect(lineItem.body.assessmentLineItem).toMatchObject({ resultValueMin: 0, resultValueMax: 5 });
      // Written back as it reads, the second student's question result is accepted (it was 422: outside 0–1).
      const question = (await auth(t.http().get(`${RESULTS}/${row.sourced_id}-q1`)).expect(200)).body.assessmentResult;
      expect(question.score).toBe(5);
      const { dateLastModified: _d, ...body } = question;
      await auth(t.http().put(`${RESULTS}/${row.sourced_id}-q1`))
        .send({ assessmentResult: body })
        .expect((r) => expect([200, 201]).toContain(r.status));
    });

    it('two lessons with one test: the second is TEST_HELD while the first is open (the link names the test, not the assignment), then free', async () => {
      const student = await createStudent(t.orm);
      const lessonOf = async () => (await eduLesson()).sourcedId;
      const [a, b] = [await lessonOf(), await lessonOf()];
      const assigned = await assign({ student: student.sourcedId, lesson: a }).expect(200);
      const calls = (await sandboxControl(t.sandboxes, 'edulastic').calls()).length;

      const held = await assign({ student: student.sourcedId, lesson: b }).expect(422);
      expect(held.body.imsx_description).toBe(
        `Edulastic test '${eduTest.id}' is assigned to this student for lesson '${a}' (attempt 1) and its link does ` +
          'not tell the two apart; finish that attempt first',
      );
      expect(held.body.imsx_error_details).toEqual([
        expect.objectContaining({ code: 'TEST_HELD', field: 'lesson', value: b, heldByLesson: a }),
      ]);
      // Nothing was asked of the tool, and nothing of lesson b is kept.
      expect((await sandboxControl(t.sandboxes, 'edulastic').calls()).length).toBe(calls);
      expect(await countRows(t.orm, 'tool_assignments where lesson_sourced_id = ?', [b])).toBe(0);

      const all = Array.from({ length: eduTest.questionCount }, () => ({ score: 1, maxScore: 1 }));
      await submit(assigned.body.assignmentId, student.email, all);
      expect((await importResults(student.sourcedId, a).expect(200)).body.finalized).toBe(true);
      const second = await assign({ student: student.sourcedId, lesson: b }).expect(200);
      expect(second.body.assignmentId).not.toBe(assigned.body.assignmentId);
    });

    it("getAttempts says when the student submitted (Edulastic's end date), not when the import ran", async () => {
      const student = await createStudent(t.orm);
      const lesson = await eduLesson();
      const ids = { student: student.sourcedId, lesson: lesson.sourcedId };
      const first = await assign(ids).expect(200);
      // Submitted yesterday; the import runs now.
      const submittedAt = new Date(Date.now() - 24 * 3600_000);
      const all = Array.from({ length: eduTest.questionCount }, () => ({ score: 1, maxScore: 1 }));
      await submit(first.body.assignmentId, student.email, all, 'GRADED', submittedAt.getTime());
      expect((await importResults(ids.student, ids.lesson).expect(200)).body).toMatchObject({ finalized: true });
      const attempts = await auth(t.http().get(`${PP}/getAttempts`))
        .query(ids)
        .expect(200);
      expect(attempts.body.attempts).toEqual([
        expect.objectContaining({ attempt: 1, scoreStatus: 'fully graded', completedAt: submittedAt.toISOString() }),
      ]);
    });

    it('is not finalized while questions are unanswered or grading is pending', async () => {
      const student = await createStudent(t.orm);
      const lesson = await eduLesson();
      const assigned = await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      const all = Array.from({ length: eduTest.questionCount }, () => ({ score: 1, maxScore: 1 }));

      await submit(assigned.body.assignmentId, student.email, all.slice(1));
      expect((await importResults(student.sourcedId, lesson.sourcedId).expect(200)).body.finalized).toBe(false);
      await submit(assigned.body.assignmentId, student.email, all, 'IN GRADING');
      expect((await importResults(student.sourcedId, lesson.sourcedId).expect(200)).body.finalized).toBe(false);
      expect((await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).score_status).toBe('submitted');
      await submit(assigned.body.assignmentId, student.email, all);
      expect((await importResults(student.sourcedId, lesson.sourcedId).expect(200)).body.finalized).toBe(true);
    });

    it('a graded submission with a skipped question is never final but over: a retake starts, in a class of its own', async () => {
      const student = await createStudent(t.orm);
      const lesson = await eduLesson();
      const other = await eduLesson();
      const ids = { student: student.sourcedId, lesson: lesson.sourcedId };
      const newAttempt = () => auth(t.http().post(`${PP}/createNewAttempt`)).send(ids);
      const first = await assign(ids).expect(200);
      const answers = (skipFirst: boolean) =>
        Array.from({ length: eduTest.questionCount }, (_, i) =>
          skipFirst && i === 0 ? null : { score: 1, maxScore: 1 },
        );

      // Submitted, grading pending: the tool's word is not in yet, so the attempt is not over.
      await submit(first.body.assignmentId, student.email, answers(true), 'IN GRADING');
      const pending = await importResults(ids.student, ids.lesson).expect(200);
      expect(pending.body.finalized).toBe(false);
      expect(pending.body).not.toHaveProperty('closed');
      expect((await newAttempt().expect(422)).body.imsx_error_details).toEqual([
        expect.objectContaining({ code: 'ATTEMPT_NOT_COMPLETED' }),
      ]);

      // Graded with the first question skipped: Edulastic will not change it (one attempt per assignment).
      await submit(first.body.assignmentId, student.email, answers(true));
      const imported = await importResults(ids.student, ids.lesson).expect(200);
      expect(imported.body).toMatchObject({ finalized: false, closed: true, attempt: 1 });
      expect((await progress(ids.student, ids.lesson).expect(200)).body).toMatchObject({
        finalized: false,
        closed: true,
      });
      const row = await resultRow(t.orm, ids.student, ids.lesson);
      expect(row).toMatchObject({ score_status: 'partially graded', finalized_at: null });
      expect(row.closed_at).not.toBeNull();
      // A re-import reads the same and keeps it so.
      expect((await importResults(ids.student, ids.lesson).expect(200)).body.finalized).toBe(false);
      expect((await resultRow(t.orm, ids.student, ids.lesson)).closed_at).toEqual(row.closed_at);
      // The test is free for the student's other lesson: the closed attempt holds it no more. While that lesson's
      // attempt is open it holds the test in turn, so it is taken before the retake.
      const otherIds = { student: ids.student, lesson: other.sourcedId };
      const taken = await assign(otherIds).expect(200);
      expect((await assign(ids).expect(422)).body.imsx_error_details).toEqual([
        expect.objectContaining({ code: 'TEST_HELD', heldByLesson: other.sourcedId }),
      ]);
      await submit(taken.body.assignmentId, student.email, answers(false));
      expect((await importResults(otherIds.student, otherIds.lesson).expect(200)).body.finalized).toBe(true);

      const attempts = await auth(t.http().get(`${PP}/getAttempts`))
        .query(ids)
        .expect(200);
      expect(attempts.body.attempts).toEqual([
        expect.objectContaining({ attempt: 1, scoreStatus: 'partially graded', completedAt: expect.any(String) }),
      ]);
      const created = await newAttempt().expect(200);
      expect(created.body.attempt).toMatchObject({ attempt: 2, scoreStatus: 'not submitted', completedAt: null });

      // Attempt 2 is a fresh Edulastic assignment the student can take; it finalizes on its own.
      const second = await assign(ids).expect(200);
      expect(second.body).toMatchObject({ attempt: 2 });
      expect(second.body.assignmentId).not.toBe(first.body.assignmentId);
      await submit(second.body.assignmentId, student.email, answers(false));
      expect((await importResults(ids.student, ids.lesson).expect(200)).body).toMatchObject({
        finalized: true,
        attempt: 2,
      });
      const p = await progress(ids.student, ids.lesson).expect(200);
      expect(p.body).toMatchObject({ attempt: 2, finalized: true, score: 100 });
      expect(p.body).not.toHaveProperty('closed');
    });
    it('a closed attempt stays closed when a later read says otherwise (a regrade): the retake may have started on it', async () => {
      const student = await createStudent(t.orm);
      const lesson = await eduLesson();
      const ids = { student: student.sourcedId, lesson: lesson.sourcedId };
      const first = await assign(ids).expect(200);
      const answers = Array.from({ length: eduTest.questionCount }, (_, i) =>
        i === 0 ? null : { score: 1, maxScore: 1 },
      );
      await submit(first.body.assignmentId, student.email, answers);
      expect((await importResults(ids.student, ids.lesson).expect(200)).body.finalized).toBe(false);
      const closedAt = (await resultRow(t.orm, ids.student, ids.lesson)).closed_at;
      expect(closedAt).not.toBeNull();

      // The teacher reopens grading at the tool: the read is stored (its status), the attempt stays over.
      await submit(first.body.assignmentId, student.email, answers, 'IN GRADING');
      expect((await importResults(ids.student, ids.lesson).expect(200)).body.finalized).toBe(false);
      expect(await resultRow(t.orm, ids.student, ids.lesson)).toMatchObject({
        score_status: 'submitted',
        closed_at: closedAt,
      });

      // makeExternalTestAssignment itself starts the retake: a fresh assignment.
      const second = await assign(ids).expect(200);
      expect(second.body.attempt).toBe(2);
      expect(second.body.assignmentId).not.toBe(first.body.assignmentId);
      expect((await importResults(ids.student, ids.lesson).expect(200)).body).toMatchObject({
        attempt: 2,
        finalized: false,
      });
    });

    it('a read that is not stored (the gradebook holds a fully graded result another writer put) still closes the attempt', async () => {
      const student = await createStudent(t.orm);
      const lesson = await eduLesson();
      const ids = { student: student.sourcedId, lesson: lesson.sourcedId };
      const first = await assign(ids).expect(200);
      const row = await resultRow(t.orm, ids.student, ids.lesson);
      // A teacher's provisional grade, before the student sat the test.
      await putResult(row, ids.student, { status: 'active', score: 0, scoreStatus: 'fully graded' }).expect((r) =>
        expect([200, 201]).toContain(r.status),
      );
      const answers = Array.from({ length: eduTest.questionCount }, (_, i) =>
        i === 0 ? null : { score: 1, maxScore: 1 },
      );
      await submit(first.body.assignmentId, student.email, answers);
      expect((await importResults(ids.student, ids.lesson).expect(200)).body).toMatchObject({
        finalized: false,
        closed: true,
      });
      // The teacher's grade stays (a fully graded result is replaced only by a fully graded read), but the attempt is over.
      expect(await resultRow(t.orm, ids.student, ids.lesson)).toMatchObject({
        score: 0,
        score_status: 'fully graded',
        closed_at: expect.anything(),
        finalized_at: null,
      });
      expect(
        (
          await auth(t.http().post(`${PP}/createNewAttempt`))
            .send(ids)
            .expect(200)
        ).body.attempt.attempt,
      ).toBe(2);
    });

    it("finds the student's work by the Edulastic user the assignment was made for, after the student's email changed", async () => {
      const student = await createStudent(t.orm);
      const lesson = await eduLesson();
      const other = await eduLesson(DEFAULT_EDULASTIC_TESTS[1].id);
      const ids = { student: student.sourcedId, lesson: lesson.sourcedId };
      const first = await assign(ids).expect(200);
      expect(first.body.credentials.email).toBe(student.email);
      // The school moves the student to another address; a later lesson signs the new address up at Edulastic.
      const moved = `moved.${student.email}`;
      await t.orm.em
        .fork()
        .getConnection()
        .execute('update users set email = ? where sourced_id = ?', [moved, ids.student]);
      const second = await assign({ student: ids.student, lesson: other.sourcedId }).expect(200);
      expect(second.body.credentials.email).toBe(moved);
      // The first lesson's assignment still shows the login it was made for: the new one is another Edulastic user.
      for (const answer of [await assign(ids).expect(200), await importResults(ids.student, ids.lesson).expect(200)])
        expect(answer.body.credentials).toEqual(first.body.credentials);
      expect(second.body.credentials.password).not.toBe(first.body.credentials.password);

      // The student sits the first lesson's test as the user it was assigned to (the old address).
      const all = Array.from({ length: eduTest.questionCount }, () => ({ score: 1, maxScore: 1 }));
      await submit(first.body.assignmentId, student.email, all);
      expect((await importResults(ids.student, ids.lesson).expect(200)).body).toMatchObject({ finalized: true });
      expect((await progress(ids.student, ids.lesson).expect(200)).body).toMatchObject({ finalized: true, score: 100 });
    });

    it('a lesson whose call to Edulastic went unanswered holds its test: the other lesson is TEST_HELD until it is', async () => {
      const student = await createStudent(t.orm);
      const [a, b] = [await eduLesson(), await eduLesson()];
      const edulastic = sandboxControl(t.sandboxes, 'edulastic');
      await edulastic.fault({ method: 'POST', path: '/api/assignments/v2/assign', status: 500, times: 10 });
      try {
        // The assign call failed at the tool: whether it made the assignment is unknown, so lesson a stays pending.
        await assign({ student: student.sourcedId, lesson: a.sourcedId }).expect(502);
      } finally {
        await edulastic.clearFaults();
      }
      expect(await ledgerRows(t.orm, student.sourcedId)).toEqual([
        expect.objectContaining({ lesson_sourced_id: a.sourcedId, state: 'pending', called: true }),
      ]);
      const held = await assign({ student: student.sourcedId, lesson: b.sourcedId }).expect(422);
      expect(held.body.imsx_description).toBe(
        `Edulastic test '${eduTest.id}' may be assigned (its call to Edulastic is unanswered) to this student for ` +
          `lesson '${a.sourcedId}' (attempt 1) and its link does not tell the two apart; retry that lesson's ` +
          'assignment first',
      );
      // Lesson a's retry resumes it; b is still held, now by an assignment on record.
      await assign({ student: student.sourcedId, lesson: a.sourcedId }).expect(200);
      const still = await assign({ student: student.sourcedId, lesson: b.sourcedId }).expect(422);
      expect(still.body.imsx_error_details).toEqual([
        expect.objectContaining({ code: 'TEST_HELD', heldByLesson: a.sourcedId }),
      ]);
      expect((await ledgerRows(t.orm, student.sourcedId)).map((r) => [r.lesson_sourced_id, r.state])).toEqual([
        [a.sourcedId, 'assigned'],
      ]);
    });
  });

  describe('bad input changes nothing', () => {
    it('write-back: unknown result 404, another student 422, no gradebook scope 403', async () => {
      const student = await createStudent(t.orm);
      const other = await createStudent(t.orm);
      const { lesson } = await mtLesson('unit-test');
      await assignMt({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      const row = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
      const body = (studentId: string) => ({
        assessmentResult: {
          sourcedId: row.sourced_id,
          status: 'active',
          assessmentLineItem: { sourcedId: row.line_item_sourced_id },
          student: { sourcedId: studentId },
          score: 90,
          scoreDate: new Date().toISOString(),
          scoreStatus: 'fully graded',
          metadata: { masteryTrackProcessed: true },
        },
      });

      const unknown = await auth(t.http().put(`${RESULTS}/${uid('nope')}`)).send({
        assessmentResult: {
          ...body(student.sourcedId).assessmentResult,
          sourcedId: undefined,
          assessmentLineItem: { sourcedId: 'missing' },
        },
      });
      expect([404, 422]).toContain(unknown.status);
      const mismatch = await auth(t.http().put(`${RESULTS}/${row.sourced_id}`))
        .send(body(other.sourcedId))
        .expect(422);
      expect(mismatch.body.imsx_description).toMatch(/belongs to student/);
      const readOnly = await t.token('https://purl.imsglobal.org/spec/or/v1p1/scope/gradebook.readonly');
      await auth(t.http().put(`${RESULTS}/${row.sourced_id}`), readOnly)
        .send(body(student.sourcedId))
        .expect(403);
      expect(await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).toEqual(row);
    });

    it('an attempt keeps the tool that made it when its lesson moves to another tool; the next attempt goes to the new one', async () => {
      const student = await createStudent(t.orm);
      const { lesson } = await mtLesson('test-out');
      const ids = { student: student.sourcedId, lesson: lesson.sourcedId };
      const made = await assignMt(ids).expect(200);
      expect(made.body.toolProvider).toBe('mastery-track');
      // The lesson moves to Edulastic (an author re-points its resource; its Edulastic test is named later: Edulastic's
      // checks of a lesson would refuse it now, MasteryTrack's, which the attempt's calls go by, do not).
      const sql = (text: string, values: unknown[]) => t.orm.em.fork().getConnection().execute(text, values);
      await sql(
        `update resources set metadata = metadata || '{"toolProvider":"edulastic"}'::jsonb where sourced_id = ?`,
        [lesson.resourceSourcedId],
      );
      const again = await assign(ids).expect(200);
      expect(again.body).toEqual(made.body);
      const progressNow = await progress(ids.student, ids.lesson).expect(200);
      expect(progressNow.body).toMatchObject({ toolProvider: 'mastery-track', attempt: 1 });
      // Its result comes from MasteryTrack's write-back, and the import reads it as MasteryTrack's: not asked of Edulastic.
      const eduCalls = (await sandboxControl(t.sandboxes, 'edulastic').calls()).length;
      await completeMasteryTrack(made.body.assignmentId, student.sourcedId, 40);
      const imported = await importResults(ids.student, ids.lesson).expect(200);
      expect(imported.body).toMatchObject({ toolProvider: 'mastery-track', attempt: 1, finalized: true });
      expect((await sandboxControl(t.sandboxes, 'edulastic').calls()).length).toBe(eduCalls);
      // The next attempt is the lesson's now: Edulastic.
      await sql(`update resources set vendor_id = ? where sourced_id = ?`, [eduTest.id, lesson.resourceSourcedId]);
      const next = await assign(ids).expect(200);
      expect(next.body).toMatchObject({ toolProvider: 'edulastic', attempt: 2 });
      // It moves back to MasteryTrack, without its Edulastic test: a repeat of the assigned attempt is still its
      // stored answer (Edulastic's check of the lesson, which would now refuse it, is for a call to Edulastic).
      await sql(
        `update resources set vendor_id = null, metadata = metadata || '{"toolProvider":"mastery-track"}'::jsonb
         where sourced_id = ?`,
        [lesson.resourceSourcedId],
      );
      expect((await assign(ids).expect(200)).body).toEqual(next.body);
    });

    it('a call whose answer was lost is resumed at the tool that made it, though the lesson moved to another since', async () => {
      const student = await createStudent(t.orm);
      const { lesson } = await mtLesson('test-out');
      const ids = { student: student.sourcedId, lesson: lesson.sourcedId };
      await sandboxControl(t.sandboxes, 'masteryTrack').fault({
        method: 'POST',
        path: '/delivery/assignments/assign',
        loseAnswer: true,
        times: 10,
      });
      const lost = await assignMt(ids);
      await sandboxControl(t.sandboxes, 'masteryTrack').clearFaults();
      expect(lost.status).toBeGreaterThanOrEqual(502);
      await t.orm.em
        .fork()
        .getConnection()
        .execute(
          `update resources set vendor_id = ?, metadata = metadata || '{"toolProvider":"edulastic"}'::jsonb where sourced_id = ?`,
          [eduTest.id, lesson.resourceSourcedId],
        );
      const eduCalls = (await sandboxControl(t.sandboxes, 'edulastic').calls()).length;
      const resumed = await assign(ids).expect(200);
      expect(resumed.body).toMatchObject({ toolProvider: 'mastery-track', attempt: 1 });
      expect((await sandboxControl(t.sandboxes, 'edulastic').calls()).length).toBe(eduCalls);
    });

    it('import while another request makes the next attempt: 409 with Retry-After, then that attempt', async () => {
      const student = await createStudent(t.orm);
      const { lesson } = await mtLesson('test-out');
      const ids = { student: student.sourcedId, lesson: lesson.sourcedId };
      const first = await assignMt(ids).expect(200);
      await completeMasteryTrack(first.body.assignmentId, student.sourcedId, 40);
      expect((await importResults(ids.student, ids.lesson).expect(200)).body).toMatchObject({
        attempt: 1,
        finalized: true,
      });

      // Held at the tool for 3 s: the import below needs a small part of that.
      await delayMasteryTrackAssign(t.sandboxes, 3_000);
      const retake = assignMt(ids).then((r) => r);
      await sandboxControl(t.sandboxes, 'masteryTrack').untilInFlight('POST', '/delivery/assignments/assign');
      const busy = await importResults(ids.student, ids.lesson).expect(409);
      expect(busy.body.imsx_description).toBe(
        'Another request is assigning attempt 2 of this lesson to the student; import its result once it is made',
      );
      // The retake's lease was taken a moment ago: its request is at work and answers soon, so 1 s, not the 5 s a
      // lease held for long gets.
      expect(busy.headers['retry-after']).toBe('1');
      expect((await retake).status).toBe(200);
      expect((await importResults(ids.student, ids.lesson).expect(200)).body).toMatchObject({
        attempt: 2,
        finalized: false,
      });
    });

    it('import: no prior assignment 422, unknown student 404, not an external test 422', async () => {
      const student = await createStudent(t.orm);
      const { lesson } = await mtLesson('test-out');
      const res = await importResults(student.sourcedId, lesson.sourcedId).expect(422);
      expect([res.body.imsx_description, res.body.imsx_error_details[0].code]).toEqual([
        'No test assignment was made for this student and lesson: make one with makeExternalTestAssignment, then import its results',
        'NO_ASSIGNMENT',
      ]);
      await importResults('nobody', lesson.sourcedId).expect(404);
      const quiz = await createLesson(t.orm, { lessonType: 'quiz' });
      await importResults(student.sourcedId, quiz.sourcedId).expect(422);
      await auth(t.http().get(`${PP}/getAttempts`))
        .query({ student: student.sourcedId, lesson: 'nothing' })
        .expect(404);
      await auth(t.http().get(`${PP}/getAttempts`))
        .query({ student: student.sourcedId })
        .expect(400);
      expect(await countRows(t.orm, 'assessment_results where student_sourced_id = ?', [student.sourcedId])).toBe(0);
    });
  });
});
