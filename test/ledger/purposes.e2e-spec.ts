import { RequestContext } from '@mikro-orm/core';
import { AttemptLedgerRepository } from '@external-tests/persistence';
import { DEFAULT_EDULASTIC_TESTS, DEFAULT_MASTERY_TRACK_TESTS } from '@external-tests/sandbox';
import { createLesson, createStudent, LessonFixture } from '../helpers/fixtures';
import { countRows, ledgerRows } from '../helpers/rows';
import { parkAt } from '../helpers/recovery-points';
import { sandboxControl } from '../helpers/sandbox-control';
import { createTestApp, TestApp } from '../helpers/test-app';
import { onEmbeddedDatabase } from '../helpers/test-database';
import { waitFor } from '../helpers/wait-for';
import { toolState } from '../helpers/tool-state';

/**
 * Issue 9: every object we make at a tool has one purpose, recorded in the ledger — several lessons of one
 * subject and grade, retakes, parallel lessons of a new student. Each case counts the objects at the tool and
 * the rows in our database.
 */
const ROUTE = '/powerpath/makeExternalTestAssignment';
const MATH_G4 = DEFAULT_MASTERY_TRACK_TESTS.filter(
  (t) => t.subject === 'Math' && t.grade_rank === 4 && t.supported !== false,
);
const EDU_TESTS = DEFAULT_EDULASTIC_TESTS.map((t) => t.id);

describe('one tool object per purpose', () => {
  let t: TestApp;
  let token: string;
  const tools = () => toolState(t.sandboxes);
  const assign = (body: object) => t.http().post(ROUTE).set('Authorization', `Bearer ${token}`).send(body);
  const importResults = (student: string, lesson: string) =>
    t
      .http()
      .get('/powerpath/importExternalTestAssignmentResults')
      .set('Authorization', `Bearer ${token}`)
      .query({ student, lesson });
  const attempts = async (student: string, lesson: string) =>
    (
      await t
        .http()
        .get('/powerpath/getAttempts')
        .set('Authorization', `Bearer ${token}`)
        .query({ student, lesson })
        .expect(200)
    ).body.attempts;
  const mathG4 = () => createLesson(t.orm, { subject: 'Math', grades: ['4'] });
  /** A OneRoster DELETE of the student (marks it `tobedeleted`). */
  const deleteStudent = (sourcedId: string) =>
    t
      .http()
      .delete(`/ims/oneroster/rostering/v1p2/users/${sourcedId}`)
      .set('Authorization', `Bearer ${token}`)
      .expect(204);

  /** The 422 for a student whose email another student, who had it, still has a test open on at the tool. */
  const openTestOfAnother = (student: string, tool: string) =>
    `Student '${student}' has the email of a user at ${tool} that another student, who had that email, still has a ` +
    'test open on: the user passes on once that test is finished or its result deleted';

  beforeAll(async () => {
    t = await createTestApp();
    token = await t.token();
  });
  afterAll(() => t.close());

  describe('MasteryTrack: several lessons of one subject and grade for one student', () => {
    it('gives each lesson a test of its own, then a 422 naming the lesson that holds the test; nothing written for it', async () => {
      const student = await createStudent(t.orm);
      const lessons: LessonFixture[] = [];
      for (let i = 0; i <= MATH_G4.length; i++) lessons.push(await mathG4());

      const answers = [];
      for (const lesson of lessons.slice(0, MATH_G4.length)) {
        answers.push((await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200)).body);
      }
      const refused = await assign({ student: student.sourcedId, lesson: lessons[MATH_G4.length].sourcedId }).expect(
        422,
      );
      expect(refused.body.imsx_description).toContain(`lesson '${lessons[0].sourcedId}'`);
      expect(refused.body.imsx_description).toMatch(/MasteryTrack test 'Alpha Standardized Math G4\.1'/);
      expect(refused.body.imsx_error_details).toEqual([
        expect.objectContaining({ code: 'TEST_HELD', field: 'lesson', heldByLesson: lessons[0].sourcedId }),
      ]);

      // One active MasteryTrack assignment per lesson, each writing back to its own lesson's result.
      const active = await tools().mtActive(student.email);
      expect(active.map((a) => a.test_name).sort()).toEqual(MATH_G4.map((x) => x.name).sort());
      const rows = await ledgerRows(t.orm, student.sourcedId);
      expect(rows).toHaveLength(MATH_G4.length);
      for (const [i, a] of answers.entries()) {
        const row = rows.find((r) => r.lesson_sourced_id === lessons[i].sourcedId)!;
        expect(row).toMatchObject({ state: 'assigned', external_id: a.assignmentId, attempt: 1 });
        expect(active.find((x) => String(x.id) === a.assignmentId)?.assessment_result_sourced_id).toBe(
          row.result_sourced_id,
        );
      }
      expect(new Set(answers.map((a) => a.assignmentId)).size).toBe(MATH_G4.length);
      expect(await countRows(t.orm, 'assessment_results where student_sourced_id = ?', [student.sourcedId])).toBe(
        MATH_G4.length,
      );
    });

    it('in parallel: each lesson its own assignment, and each write-back finalizes its own lesson only', async () => {
      const student = await createStudent(t.orm);
      const lessons = await Promise.all(MATH_G4.map(() => mathG4()));
      const res = await Promise.all(lessons.map((l) => assign({ student: student.sourcedId, lesson: l.sourcedId })));
      expect(res.map((r) => r.status)).toEqual(lessons.map(() => 200));
      expect(new Set(res.map((r) => r.body.assignmentId)).size).toBe(lessons.length);
      expect(await tools().mtActive(student.email)).toHaveLength(lessons.length);

      // The student finishes the second lesson's test only.
      await tools().mtComplete(res[1].body.assignmentId, student.sourcedId, 95);
      const finalized = await Promise.all(
        lessons.map(async (l) => (await importResults(student.sourcedId, l.sourcedId).expect(200)).body.finalized),
      );
      expect(finalized).toEqual(lessons.map((_, i) => i === 1));
    });

    it('a named test held by another lesson is a 422 naming that lesson, with no call left behind', async () => {
      const student = await createStudent(t.orm);
      const [first, second] = [await mathG4(), await mathG4()];
      await assign({ student: student.sourcedId, lesson: first.sourcedId, testId: MATH_G4[0].timeback_id }).expect(200);
      const refused = await assign({
        student: student.sourcedId,
        lesson: second.sourcedId,
        testId: MATH_G4[0].timeback_id,
      }).expect(422);
      expect(refused.body.imsx_description).toContain(`lesson '${first.sourcedId}'`);
      expect(await tools().mtAssignments(student.email)).toHaveLength(1);
      expect(await ledgerRows(t.orm, student.sourcedId)).toHaveLength(1);
    });

    it('a test made outside this service is never adopted: the lesson gets another test', async () => {
      const student = await createStudent(t.orm);
      // Another platform assigned Math G4.1 to the student directly at MasteryTrack.
      const outside = await tools().mtAssignOutside(student.email, MATH_G4[0].timeback_id);
      const lesson = await mathG4();
      const mine = await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      expect(mine.body.assignmentId).not.toBe(String(outside.id));
      expect(mine.body.testId).toBe(MATH_G4[1].timeback_id);
      expect((await ledgerRows(t.orm, student.sourcedId)).map((r) => r.external_id)).toEqual([mine.body.assignmentId]);
    });

    it('a retry inside one call that meets the assignment its own lost try made adopts it: one assignment', async () => {
      const student = await createStudent(t.orm);
      const lesson = await mathG4();
      // MasteryTrack makes the assignment but the answer is lost; the client retries the call and hears "exists".
      await sandboxControl(t.sandboxes, 'masteryTrack').fault({
        method: 'POST',
        path: '/delivery/assignments/assign',
        loseAnswer: true,
      });
      const res = await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      const made = await tools().mtAssignments(student.email);
      expect(made.map((a) => String(a.id))).toEqual([res.body.assignmentId]);
      expect((await ledgerRows(t.orm, student.sourcedId)).map((r) => r.external_id)).toEqual([res.body.assignmentId]);
    });

    it('two lessons whose calls both went unanswered: the assignment nobody can tell is taken back, each lesson gets its own', async () => {
      const student = await createStudent(t.orm);
      const [a, b] = [await mathG4(), await mathG4()];
      const mt = sandboxControl(t.sandboxes, 'masteryTrack');
      const ASSIGN_PATH = { method: 'POST', path: '/delivery/assignments/assign' };
      // A: MasteryTrack makes its assignment, the answer is lost, and every retry fails: A stays pending.
      await mt.fault({ ...ASSIGN_PATH, loseAnswer: true });
      await mt.fault({ ...ASSIGN_PATH, status: 503, times: 2 });
      expect((await assign({ student: student.sourcedId, lesson: a.sourcedId })).status).toBeGreaterThanOrEqual(500);
      const [stray] = await tools().mtActive(student.email);
      // B: its call meets A's assignment and loses that answer; its retry hears "exists", then every call fails.
      // Both asked and neither saw the answer, and MasteryTrack does not say whose result the stray writes back to.
      await mt.fault({ ...ASSIGN_PATH, loseAnswer: true });
      await mt.fault({ ...ASSIGN_PATH, delayMs: 1 });
      for (const path of ['/delivery/assignments/assign', '/delivery/assignments/invalidate'])
        await mt.fault({ method: 'POST', path, status: 503, times: 3 });
      await mt.fault({ method: 'GET', path: '/authoring/inventory/search', status: 503, times: 3 });
      expect((await assign({ student: student.sourcedId, lesson: b.sourcedId })).status).toBeGreaterThanOrEqual(500);
      await mt.clearFaults();
      // While the stray cannot be taken back, nothing else is made for either lesson.
      expect((await tools().mtActive(student.email)).map((x) => x.id)).toEqual([stray.id]);

      // A withdraws it and asks again, and that answer is lost too (MasteryTrack made another one for A): A fails
      // rather than take another test beside it; its next request withdraws that one in turn.
      await mt.fault({ ...ASSIGN_PATH, delayMs: 1 });
      await mt.fault({ ...ASSIGN_PATH, loseAnswer: true });
      expect((await assign({ student: student.sourcedId, lesson: a.sourcedId })).status).toBe(503);
      await mt.clearFaults();
      const first = await assign({ student: student.sourcedId, lesson: a.sourcedId }).expect(200);
      const second = await assign({ student: student.sourcedId, lesson: b.sourcedId }).expect(200);
      const made = await tools().mtAssignments(student.email);
      // Each lesson's assignment writes back to its own result, and the ledger says so.
      const rows = await ledgerRows(t.orm, student.sourcedId);
      expect(rows.map((r) => r.state)).toEqual(['assigned', 'assigned']);
      for (const row of rows) {
        expect(made.find((x) => String(x.id) === row.external_id)?.assessment_result_sourced_id).toBe(
          row.result_sourced_id,
        );
      }
      // The strays are taken back: the two lessons' assignments are the only active ones.
      expect(made.find((x) => x.id === stray.id)?.status).toBe('INVALIDATED');
      expect(made.filter((x) => x.status === 'INVALIDATED')).toHaveLength(2);
      expect(
        made
          .filter((x) => x.status === 'ASSIGNED')
          .map((x) => String(x.id))
          .sort(),
      ).toEqual([first.body.assignmentId, second.body.assignmentId].sort());
    });

    it('with a named test made outside this service: a 422 that says so, nothing written', async () => {
      const student = await createStudent(t.orm);
      await tools().mtAssignOutside(student.email, MATH_G4[0].timeback_id);
      const refused = await assign({
        student: student.sourcedId,
        lesson: (await mathG4()).sourcedId,
        testId: MATH_G4[0].timeback_id,
      }).expect(422);
      expect(refused.body.imsx_description).toMatch(/assigned outside this service/);
      expect(await ledgerRows(t.orm, student.sourcedId)).toEqual([]);
      expect(await countRows(t.orm, 'assessment_results where student_sourced_id = ?', [student.sourcedId])).toBe(0);
    });
  });

  describe('retakes', () => {
    it('Edulastic: attempt 2 gets a class and an assignment of its own; the import reads only the current attempt', async () => {
      const student = await createStudent(t.orm);
      const lesson = await createLesson(t.orm, {
        toolProvider: 'edulastic',
        vendorId: EDU_TESTS[0],
        lessonType: 'unit-test',
      });
      const first = (await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200)).body;
      await tools().eduSubmit(
        first.assignmentId,
        student.email,
        Array(DEFAULT_EDULASTIC_TESTS[0].questionCount).fill(1),
      );
      expect((await importResults(student.sourcedId, lesson.sourcedId).expect(200)).body).toMatchObject({
        finalized: true,
        attempt: 1,
      });

      const second = (await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200)).body;
      expect(second.attempt).toBe(2);
      expect(second.assignmentId).not.toBe(first.assignmentId);
      expect(second.classId).not.toBe(first.classId);
      expect(second.credentials).toEqual(first.credentials);
      // Attempt 2 is not submitted: the import must not see attempt 1's answers.
      expect((await importResults(student.sourcedId, lesson.sourcedId).expect(200)).body).toMatchObject({
        finalized: false,
        attempt: 2,
      });

      await tools().eduSubmit(second.assignmentId, student.email, [1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
      expect((await importResults(student.sourcedId, lesson.sourcedId).expect(200)).body).toMatchObject({
        finalized: true,
        attempt: 2,
      });
      expect(
        (await attempts(student.sourcedId, lesson.sourcedId)).map((a: { attempt: number; score: number }) => [
          a.attempt,
          a.score,
        ]),
      ).toEqual([
        [1, 100],
        [2, 50],
      ]);
      const edu = await tools().eduOf(student.email);
      expect(edu.users).toHaveLength(1);
      expect(edu.classes.map((c) => c._id).sort()).toEqual([first.classId, second.classId].sort());
      expect(edu.assignments.map((a) => a._id).sort()).toEqual([first.assignmentId, second.assignmentId].sort());
    });

    it('MasteryTrack: attempt 2 is assigned again (a fresh assignment) and each attempt keeps its own score', async () => {
      const student = await createStudent(t.orm);
      const lesson = await mathG4();
      const first = (await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200)).body;
      await tools().mtComplete(first.assignmentId, student.sourcedId, 70);
      const second = (await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200)).body;
      expect(second.attempt).toBe(2);
      expect(second.assignmentId).not.toBe(first.assignmentId);
      await tools().mtComplete(second.assignmentId, student.sourcedId, 96);
      expect(
        (await attempts(student.sourcedId, lesson.sourcedId)).map((a: { attempt: number; score: number }) => [
          a.attempt,
          a.score,
        ]),
      ).toEqual([
        [1, 70],
        [2, 96],
      ]);
      expect(await tools().mtAssignments(student.email)).toHaveLength(2);
    });
  });

  describe('Edulastic: a recorded login whose user the tool no longer knows', () => {
    it('is replaced by a new one that works (the tool lost its users)', async () => {
      const student = await createStudent(t.orm);
      const [first, second] = [
        await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: EDU_TESTS[0] }),
        await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: EDU_TESTS[1] }),
      ];
      const before = (await assign({ student: student.sourcedId, lesson: first.sourcedId }).expect(200)).body;
      await sandboxControl(t.sandboxes, 'edulastic').reset();
      const after = (await assign({ student: student.sourcedId, lesson: second.sourcedId }).expect(200)).body;
      expect(after.credentials.password).not.toBe(before.credentials.password);
      expect(await tools().eduLoginWorks(after.credentials)).toBe(true);
      expect((await tools().eduOf(student.email)).users).toHaveLength(1);
      expect(
        await countRows(t.orm, "tool_logins where student_sourced_id = ? and state = 'ready'", [student.sourcedId]),
      ).toBe(1);
    });
  });

  describe('MasteryTrack: two students with one email (the tool knows a student by email only)', () => {
    const mtCalls = async () => (await sandboxControl(t.sandboxes, 'masteryTrack').calls()).length;
    const results = (student: string) => countRows(t.orm, 'assessment_results where student_sourced_id = ?', [student]);
    const sharedEmail = (student: string) =>
      `Student '${student}' has the email of another student's mastery-track user: two students cannot share one ` +
      'user there; give this student an email of their own';
    /** Gives the student another email, as a roster sync would; answers it. */
    const rename = async (student: string, email: string) => {
      await t.orm.em
        .fork()
        .getConnection()
        .execute('update users set email = ? where sourced_id = ?', [email, student]);
      return email;
    };

    it('the second is a 422 before MasteryTrack is called, and leaves nothing; the first goes on', async () => {
      const a = await createStudent(t.orm);
      // MasteryTrack compares emails without case: one user for both.
      const b = await createStudent(t.orm, { email: a.email.toUpperCase() });
      const [first, second] = [await mathG4(), await mathG4()];
      await assign({ student: a.sourcedId, lesson: first.sourcedId }).expect(200);
      const calls = await mtCalls();

      for (let i = 0; i < 2; i++) {
        const refused = await assign({ student: b.sourcedId, lesson: second.sourcedId }).expect(422);
        expect([refused.body.imsx_error_details[0].code, refused.body.imsx_description]).toEqual([
          'INVALID_DATA',
          sharedEmail(b.sourcedId),
        ]);
      }
      expect(await mtCalls()).toBe(calls);
      expect([await ledgerRows(t.orm, b.sourcedId), await results(b.sourcedId)]).toEqual([[], 0]);
      expect((await tools().mtActive(a.email)).map((x) => x.assessment_result_sourced_id)).toHaveLength(1);
      await assign({ student: a.sourcedId, lesson: second.sourcedId }).expect(200);
      expect(await tools().mtActive(a.email)).toHaveLength(2);
    });

    // The embedded database is one session: the lock below would hold up its own holder.
    (onEmbeddedDatabase() ? it.skip : it)(
      'both new at once: one is assigned, the other is a 422 and leaves nothing',
      async () => {
        const a = await createStudent(t.orm);
        const b = await createStudent(t.orm, { email: a.email });
        const [first, second] = [await mathG4(), await mathG4()];
        // Both claims wait at the seats' table, then run together: neither sees the other's seat until it commits.
        const gate = await t.orm.em.fork().getConnection().getKnex().transaction();
        let answers$: Promise<Awaited<ReturnType<typeof assign>>[]> | undefined;
        try {
          await gate.raw('lock table tool_seats in exclusive mode');
          answers$ = Promise.all([
            assign({ student: a.sourcedId, lesson: first.sourcedId }).then((r) => r),
            assign({ student: b.sourcedId, lesson: second.sourcedId }).then((r) => r),
          ]);
          await waitFor(
            async () =>
              (await countRows(
                t.orm,
                "pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like ?",
                ['with li as%'],
              )) === 2,
            'both claims waiting at the seats',
          );
        } finally {
          await gate.commit();
        }
        const answers = await answers$;
        expect(answers.map((r) => r.status).sort()).toEqual([200, 422]);
        const [won, lost] = answers[0].status === 200 ? [a, b] : [b, a];
        const refused = answers.find((r) => r.status === 422)!;
        expect(refused.body.imsx_description).toBe(sharedEmail(lost.sourcedId));
        expect([await ledgerRows(t.orm, lost.sourcedId), await results(lost.sourcedId)]).toEqual([[], 0]);
        expect(await ledgerRows(t.orm, won.sourcedId)).toEqual([expect.objectContaining({ state: 'assigned' })]);
        expect(await tools().mtActive(a.email)).toHaveLength(1);
      },
    );

    it('the user passes to the other student once its student is deleted or has another email', async () => {
      const [lesson, later] = [await mathG4(), await mathG4()];
      // Deleted (OneRoster DELETE marks the user tobedeleted).
      const a = await createStudent(t.orm);
      const b = await createStudent(t.orm, { email: a.email });
      await assign({ student: a.sourcedId, lesson: lesson.sourcedId }).expect(200);
      const [made] = await tools().mtActive(a.email);
      await assign({ student: b.sourcedId, lesson: later.sourcedId }).expect(422);
      await deleteStudent(a.sourcedId);
      await assign({ student: b.sourcedId, lesson: later.sourcedId }).expect(200);
      // The deleted student's test is still active at the tool for the user: named, it is held, and says by whom.
      const held = await assign({ student: b.sourcedId, lesson: lesson.sourcedId, testId: made.timeback_id }).expect(
        422,
      );
      expect([held.body.imsx_error_details[0].code, held.body.imsx_description]).toEqual([
        'TEST_HELD',
        `MasteryTrack test '${made.test_name}' is assigned to this student's MasteryTrack user, by another student who ` +
          `had this email, for lesson '${lesson.sourcedId}' (attempt 1); finish or invalidate that assignment first`,
      ]);

      // Given another email, with no test open on the old one: both are assigned, each as the user of its own email.
      const c = await createStudent(t.orm);
      const d = await createStudent(t.orm, { email: c.email });
      const madeC = (await assign({ student: c.sourcedId, lesson: lesson.sourcedId }).expect(200)).body;
      await assign({ student: d.sourcedId, lesson: lesson.sourcedId }).expect(422);
      await tools().mtComplete(madeC.assignmentId, c.sourcedId, 80);
      const renamed = await rename(c.sourcedId, `renamed-${c.email}`);
      await assign({ student: d.sourcedId, lesson: later.sourcedId }).expect(200);
      await assign({ student: c.sourcedId, lesson: later.sourcedId }).expect(200);
      expect((await tools().mtActive(renamed)).map((x) => x.assessment_result_sourced_id)).toHaveLength(1);
    });

    // Whoever has the email can open a test made for it at MasteryTrack, and it writes back to the result it was made
    // for: while another student's is open there, the email's new student gets nothing from the tool.
    describe("a test open on the user for a student given another email keeps the user from the email's new student", () => {
      const refusedHere = async (student: string, lesson: string) => {
        const calls = await mtCalls();
        const refused = await assign({ student, lesson }).expect(422);
        expect([refused.body.imsx_error_details[0].code, refused.body.imsx_description]).toEqual([
          'INVALID_DATA',
          openTestOfAnother(student, 'mastery-track'),
        ]);
        expect([await ledgerRows(t.orm, student), await results(student), await mtCalls()]).toEqual([[], 0, calls]);
      };
      const renamedPair = async () => {
        const [lesson, later] = [await mathG4(), await mathG4()];
        const a = await createStudent(t.orm);
        const made = (await assign({ student: a.sourcedId, lesson: lesson.sourcedId }).expect(200)).body;
        const renamed = await rename(a.sourcedId, `renamed-${a.email}`);
        const b = await createStudent(t.orm, { email: a.email.toUpperCase() });
        return { lesson, later, a, b, made, renamed };
      };

      /** A new student's call to MasteryTrack whose answer is lost (MasteryTrack made the assignment). */
      const lostAnswer = async () => {
        const [lesson, later] = [await mathG4(), await mathG4()];
        const a = await createStudent(t.orm);
        const mt = sandboxControl(t.sandboxes, 'masteryTrack');
        await mt.fault({ method: 'POST', path: '/delivery/assignments/assign', loseAnswer: true, times: 10 });
        try {
          expect((await assign({ student: a.sourcedId, lesson: lesson.sourcedId })).status).toBeGreaterThanOrEqual(500);
        } finally {
          await mt.clearFaults();
        }
        return { lesson, later, a };
      };

      it('until the test is finished (its seat still names the email)', async () => {
        const { later, a, b, made } = await renamedPair();
        await refusedHere(b.sourcedId, later.sourcedId);
        await refusedHere(b.sourcedId, later.sourcedId);
        // The former student's open test is still the only one active for the email, and still theirs.
        expect((await tools().mtActive(a.email)).map((x) => x.assessment_result_sourced_id)).toEqual([
          (await ledgerRows(t.orm, a.sourcedId))[0].result_sourced_id,
        ]);
        await tools().mtComplete(made.assignmentId, a.sourcedId, 90);
        await assign({ student: b.sourcedId, lesson: later.sourcedId }).expect(200);
        expect(await tools().mtActive(a.email)).toHaveLength(1);
      });

      it('until its result is deleted, though the former student took another test with its new email since', async () => {
        const { lesson, later, a, b, renamed } = await renamedPair();
        // The former student's seat moves to its new email: only the open test still names the old one.
        await assign({ student: a.sourcedId, lesson: later.sourcedId }).expect(200);
        expect(await tools().mtActive(renamed)).toHaveLength(1);
        await refusedHere(b.sourcedId, lesson.sourcedId);
        const [open] = (await ledgerRows(t.orm, a.sourcedId)).filter((r) => r.lesson_sourced_id === lesson.sourcedId);
        await t
          .http()
          .delete(`/ims/oneroster/gradebook/v1p2/assessmentResults/${open.result_sourced_id}`)
          .set('Authorization', `Bearer ${token}`)
          .expect(204);
        await assign({ student: b.sourcedId, lesson: lesson.sourcedId }).expect(200);
      });

      it('also when the call that made it lost its answer (the attempt still pending), which the retry resumes for that email', async () => {
        const { lesson, later, a } = await lostAnswer();
        // MasteryTrack made it; the ledger has the call, with no answer.
        expect(await tools().mtActive(a.email)).toHaveLength(1);
        expect(await ledgerRows(t.orm, a.sourcedId)).toEqual([
          expect.objectContaining({ state: 'pending', called: true, tool_user_id: a.email.toLowerCase() }),
        ]);
        const renamed = await rename(a.sourcedId, `renamed-${a.email}`);
        const b = await createStudent(t.orm, { email: a.email });
        await refusedHere(b.sourcedId, later.sourcedId);

        // The student's retry resumes the call as it was made, for the email it had: MasteryTrack's assignment is
        // adopted, not a second one made for the new email.
        const [made] = await tools().mtActive(a.email);
        const resumed = (await assign({ student: a.sourcedId, lesson: lesson.sourcedId }).expect(200)).body;
        expect(resumed.assignmentId).toBe(String(made.id));
        expect(await tools().mtAssignments(renamed)).toEqual([]);
        expect(await ledgerRows(t.orm, a.sourcedId)).toEqual([
          expect.objectContaining({ state: 'assigned', tool_user_id: a.email.toLowerCase() }),
        ]);
        // Its next lesson is asked for its email now; the old one is still held until that test is finished.
        await assign({ student: a.sourcedId, lesson: later.sourcedId }).expect(200);
        expect(await tools().mtActive(renamed)).toHaveLength(1);
        const third = await mathG4();
        await refusedHere(b.sourcedId, third.sourcedId);
        await tools().mtComplete(resumed.assignmentId, a.sourcedId, 90);
        await assign({ student: b.sourcedId, lesson: third.sourcedId }).expect(200);
      });

      it('a resumed call is refused the email it was made for while another student is on it (the attempt was given up meanwhile)', async () => {
        const { lesson, later, a } = await lostAnswer();
        // Given up (as reconciliation does after a refusal): the pending row no longer holds the email.
        await RequestContext.create(t.orm.em, () =>
          t.app.get(AttemptLedgerRepository).giveUp(lesson.sourcedId, a.sourcedId, 1),
        );
        await rename(a.sourcedId, `renamed-${a.email}`);
        const b = await createStudent(t.orm, { email: a.email });
        await assign({ student: b.sourcedId, lesson: later.sourcedId }).expect(200);
        const atTool = await tools().mtAssignments(a.email);

        // The student's retry would ask MasteryTrack as the email, now the other student's: refused before any call.
        const calls = await mtCalls();
        const refused = await assign({ student: a.sourcedId, lesson: lesson.sourcedId }).expect(422);
        expect(refused.body.imsx_error_details[0].code).toBe('INVALID_DATA');
        expect([await mtCalls(), await tools().mtAssignments(a.email)]).toEqual([calls, atTool]);
        expect(await ledgerRows(t.orm, a.sourcedId)).toEqual([
          expect.objectContaining({ state: 'pending', called: true, tool_user_id: a.email.toLowerCase() }),
        ]);
      });

      it('and from anyone while the student it was made for, given the email back, still has it open', async () => {
        const { later, a, b, renamed } = await renamedPair();
        await assign({ student: a.sourcedId, lesson: later.sourcedId }).expect(200);
        await rename(a.sourcedId, a.email);
        // The student's seat still names its other email: only the open test says whose the email's user is.
        const third = await mathG4();
        const calls = await mtCalls();
        const refused = await assign({ student: b.sourcedId, lesson: third.sourcedId }).expect(422);
        expect(refused.body.imsx_description).toBe(sharedEmail(b.sourcedId));
        expect([await ledgerRows(t.orm, b.sourcedId), await mtCalls()]).toEqual([[], calls]);
        expect(await tools().mtActive(a.email)).toHaveLength(1);
        // Its own student goes on with it.
        await assign({ student: a.sourcedId, lesson: third.sourcedId }).expect(200);
        expect(await tools().mtActive(a.email)).toHaveLength(2);
        expect(await tools().mtActive(renamed)).toHaveLength(1);
      });
    });

    it("while a request of the user's former student still works: a 409 with Retry-After, then the user passes on", async () => {
      const [lesson, later] = [await mathG4(), await mathG4()];
      const a = await createStudent(t.orm);
      const b = await createStudent(t.orm, { email: a.email });
      // The first student's request holds its seat (and so the user) past its claim.
      const parked = parkAt(t.recoveryPoints, 'claimed', a.sourcedId);
      const first$ = assign({ student: a.sourcedId, lesson: lesson.sourcedId }).then((r) => r);
      await parked.reached;
      await deleteStudent(a.sourcedId);
      const calls = await mtCalls();

      const busy = await assign({ student: b.sourcedId, lesson: later.sourcedId }).expect(409);
      expect([busy.body.imsx_error_details[0].code, busy.body.imsx_description, busy.headers['retry-after']]).toEqual([
        'IN_PROGRESS',
        `Student '${b.sourcedId}' has the email of a user at mastery-track that a request of another student, who no ` +
          'longer has that email, is still using; retry shortly',
        expect.stringMatching(/^[1-5]$/),
      ]);
      expect([await ledgerRows(t.orm, b.sourcedId), await results(b.sourcedId), await mtCalls()]).toEqual([
        [],
        0,
        calls,
      ]);
      parked.resume();
      expect((await first$).status).toBe(200);
      await assign({ student: b.sourcedId, lesson: later.sourcedId }).expect(200);
      expect(await tools().mtActive(a.email)).toHaveLength(2);
    });
  });

  describe('Edulastic: two students with one email (the tool takes them for one user)', () => {
    const sharedEmail = (student: string) =>
      `Student '${student}' has the email of another student's edulastic user: two students cannot share one ` +
      'user there; give this student an email of their own';
    const eduLesson = (i: number) => createLesson(t.orm, { toolProvider: 'edulastic', vendorId: EDU_TESTS[i] });
    /** The two students' emails trade places in the roster. */
    const tradeEmails = async (a: { sourcedId: string; email: string }, b: { sourcedId: string; email: string }) => {
      const users = t.orm.em.fork().getConnection();
      const setEmail = (student: string, email: string) =>
        users.execute('update users set email = ? where sourced_id = ?', [email, student]);
      await setEmail(a.sourcedId, `moving-${a.email}`);
      await setEmail(b.sourcedId, a.email);
      await setEmail(a.sourcedId, b.email);
    };
    /** The student takes the lesson's test (first Edulastic test, every question right) as the user it was made for, and it is imported: nothing left open. */
    const takeAndImport = async (
      student: string,
      lesson: string,
      made: { assignmentId: string; credentials: { email: string } },
    ) => {
      await tools().eduSubmit(
        made.assignmentId,
        made.credentials.email,
        Array(DEFAULT_EDULASTIC_TESTS[0].questionCount).fill(1),
      );
      expect((await importResults(student, lesson).expect(200)).body.finalized).toBe(true);
    };
    const loginRows = (student: string) =>
      countRows(t.orm, 'tool_logins where student_sourced_id = ? and external_user_id is not null', [student]);
    const loginUser = async (student: string) =>
      (
        await t.orm.em
          .fork()
          .getConnection()
          .execute<
            { external_user_id: string }[]
          >("select external_user_id from tool_logins where tool = 'edulastic' and student_sourced_id = ?", [student])
      )[0]?.external_user_id;

    it("the second is a 422 before anything changes at the tool: the first's login still works, the second leaves nothing", async () => {
      const a = await createStudent(t.orm);
      // Edulastic compares emails without case: one user for both.
      const b = await createStudent(t.orm, { email: a.email.toUpperCase() });
      const [first, second] = [await eduLesson(0), await eduLesson(1)];
      const made = (await assign({ student: a.sourcedId, lesson: first.sourcedId }).expect(200)).body;
      const calls = (await sandboxControl(t.sandboxes, 'edulastic').calls()).length;

      for (let i = 0; i < 2; i++) {
        const refused = await assign({ student: b.sourcedId, lesson: second.sourcedId }).expect(422);
        expect([refused.body.imsx_error_details[0].code, refused.body.imsx_description]).toEqual([
          'INVALID_DATA',
          sharedEmail(b.sourcedId),
        ]);
      }
      // Refused before any call: the first student's login works, and is what it is answered again.
      expect((await sandboxControl(t.sandboxes, 'edulastic').calls()).slice(calls)).toEqual([]);
      expect(await tools().eduLoginWorks(made.credentials)).toBe(true);
      expect(await ledgerRows(t.orm, b.sourcedId)).toEqual([]);
      expect(await loginRows(b.sourcedId)).toBe(0);
      const again = (await assign({ student: a.sourcedId, lesson: second.sourcedId }).expect(200)).body;
      expect(again.credentials).toEqual(made.credentials);
      expect(await tools().eduLoginWorks(made.credentials)).toBe(true);
    });

    it('both new at once: the request that took the seat keeps the user; the other is a 422, not a 500', async () => {
      const a = await createStudent(t.orm);
      const b = await createStudent(t.orm, { email: a.email });
      const [first, second] = [await eduLesson(0), await eduLesson(1)];
      // The first student's request made the user and proved its login, and stops before recording it.
      const parked = parkAt(t.recoveryPoints, 'login.made', a.sourcedId);
      const first$ = assign({ student: a.sourcedId, lesson: first.sourcedId }).then((r) => r);
      await parked.reached;
      const lost = await assign({ student: b.sourcedId, lesson: second.sourcedId }).expect(422);
      expect(lost.body.imsx_description).toBe(sharedEmail(b.sourcedId));
      parked.resume();
      const won = (await first$).body;
      expect(await tools().eduLoginWorks(won.credentials)).toBe(true);
      expect(await ledgerRows(t.orm, b.sourcedId)).toEqual([]);
      expect([await loginRows(a.sourcedId), await loginRows(b.sourcedId)]).toEqual([1, 0]);
    });

    it('the user passes on, with a new password, once its student is deleted: the old credentials stop working', async () => {
      const a = await createStudent(t.orm);
      const b = await createStudent(t.orm, { email: a.email });
      const [first, second] = [await eduLesson(0), await eduLesson(1)];
      const made = (await assign({ student: a.sourcedId, lesson: first.sourcedId }).expect(200)).body;
      await assign({ student: b.sourcedId, lesson: second.sourcedId }).expect(422);
      await deleteStudent(a.sourcedId);

      const passed = (await assign({ student: b.sourcedId, lesson: second.sourcedId }).expect(200)).body;
      expect(passed.credentials.email).toBe(made.credentials.email);
      expect(passed.credentials.password).not.toBe(made.credentials.password);
      expect([await tools().eduLoginWorks(passed.credentials), await tools().eduLoginWorks(made.credentials)]).toEqual([
        true,
        false,
      ]);
      // One user at the tool, now the second student's login (the deleted student's is gone).
      expect((await tools().eduOf(a.email)).users).toHaveLength(1);
      expect([await loginRows(a.sourcedId), await loginRows(b.sourcedId)]).toEqual([0, 1]);
    });

    it("students who trade emails trade the tool's users once neither has a test open on its old one, each with a new password", async () => {
      const a = await createStudent(t.orm);
      const b = await createStudent(t.orm);
      const [first, second] = [await eduLesson(0), await eduLesson(1)];
      const madeA = (await assign({ student: a.sourcedId, lesson: first.sourcedId }).expect(200)).body;
      const madeB = (await assign({ student: b.sourcedId, lesson: first.sourcedId }).expect(200)).body;
      const [userA, userB] = [await loginUser(a.sourcedId), await loginUser(b.sourcedId)];
      await tradeEmails(a, b);
      const works = (c: { email: string; password: string }) => tools().eduLoginWorks(c);

      // Each still takes its open test with its old login: neither user passes on yet.
      for (const s of [b, a]) {
        const refused = await assign({ student: s.sourcedId, lesson: second.sourcedId }).expect(422);
        expect(refused.body.imsx_description).toBe(openTestOfAnother(s.sourcedId, 'edulastic'));
      }
      expect([await works(madeA.credentials), await works(madeB.credentials)]).toEqual([true, true]);

      // Both tests taken and imported (each by the user it was made for): the users pass on.
      await takeAndImport(a.sourcedId, first.sourcedId, madeA);
      await takeAndImport(b.sourcedId, first.sourcedId, madeB);
      const nowB = (await assign({ student: b.sourcedId, lesson: second.sourcedId }).expect(200)).body;
      const nowA = (await assign({ student: a.sourcedId, lesson: second.sourcedId }).expect(200)).body;
      expect([nowB.credentials.email, nowA.credentials.email]).toEqual([a.email, b.email]);
      expect(await Promise.all([nowA, nowB, madeA, madeB].map((r) => works(r.credentials)))).toEqual([
        true,
        true,
        false,
        false,
      ]);
      // Still one user per email at the tool: each student's login is now the user the other's was.
      expect([(await tools().eduOf(a.email)).users, (await tools().eduOf(b.email)).users]).toEqual([
        [expect.objectContaining({ _id: userA })],
        [expect.objectContaining({ _id: userB })],
      ]);
      expect([await loginUser(b.sourcedId), await loginUser(a.sourcedId)]).toEqual([userA, userB]);
    });

    it('a student whose email changed keeps its user for its open test, though its own login moved on first', async () => {
      const a = await createStudent(t.orm);
      const b = await createStudent(t.orm);
      const [first, second, third] = [await eduLesson(0), await eduLesson(1), await eduLesson(2)];
      const madeA = (await assign({ student: a.sourcedId, lesson: first.sourcedId }).expect(200)).body;
      const madeB = (await assign({ student: b.sourcedId, lesson: first.sourcedId }).expect(200)).body;
      // Only the second student's test is taken and imported: the first still has its test open on its user.
      await takeAndImport(b.sourcedId, first.sourcedId, madeB);
      const [userA, userB] = [await loginUser(a.sourcedId), await loginUser(b.sourcedId)];
      await tradeEmails(a, b);

      // The first student asks first: its login moves to the user of its new email (the other has no open test).
      const nowA = (await assign({ student: a.sourcedId, lesson: second.sourcedId }).expect(200)).body;
      expect([nowA.credentials.email, await loginUser(a.sourcedId)]).toEqual([b.email, userB]);
      // No login holds its old user any more, but its open test does: the other student is refused it.
      const refused = await assign({ student: b.sourcedId, lesson: third.sourcedId }).expect(422);
      expect(refused.body.imsx_description).toBe(openTestOfAnother(b.sourcedId, 'edulastic'));
      expect(await tools().eduLoginWorks(madeA.credentials)).toBe(true);
      expect(await loginRows(b.sourcedId)).toBe(0);
      expect(userA).not.toBe(userB);
    });

    it("an email the tool takes for an active student's (another case) is refused: that student's login is never taken over", async () => {
      const a = await createStudent(t.orm);
      // Another email here, the same user at Edulastic (which ignores case; whitespace around an email is never stored).
      const b = await createStudent(t.orm, { email: a.email.toUpperCase() });
      const [first, second] = [await eduLesson(0), await eduLesson(1)];
      const made = (await assign({ student: a.sourcedId, lesson: first.sourcedId }).expect(200)).body;
      // Taken and imported: no open test keeps the user; the student still has the email it was made for.
      await takeAndImport(a.sourcedId, first.sourcedId, made);

      const refused = await assign({ student: b.sourcedId, lesson: second.sourcedId }).expect(422);
      expect(refused.body.imsx_description).toBe(sharedEmail(b.sourcedId));
      expect(await tools().eduLoginWorks(made.credentials)).toBe(true);
      expect([await loginRows(a.sourcedId), await loginRows(b.sourcedId)]).toEqual([1, 0]);
      expect((await assign({ student: a.sourcedId, lesson: second.sourcedId }).expect(200)).body.credentials).toEqual(
        made.credentials,
      );
    });

    it("a deleted student's test in a lesson's class stays its own at Edulastic: the user's new student takes the lesson in a class of its own", async () => {
      const a = await createStudent(t.orm, { givenName: 'Old', familyName: 'Record' });
      const b = await createStudent(t.orm, { email: a.email, givenName: 'New', familyName: 'Record' });
      const lesson = await eduLesson(0);
      const old = (await assign({ student: a.sourcedId, lesson: lesson.sourcedId }).expect(200)).body;
      await deleteStudent(a.sourcedId);

      const made = (await assign({ student: b.sourcedId, lesson: lesson.sourcedId }).expect(200)).body;
      // The same user (the email passed on), a new password, another class and assignment.
      expect(made.credentials.email).toBe(old.credentials.email);
      expect(made.credentials.password).not.toBe(old.credentials.password);
      expect(made.classId).not.toBe(old.classId);
      expect(made.assignmentId).not.toBe(old.assignmentId);
      expect(await tools().eduLoginWorks(made.credentials)).toBe(true);
      const edu = await tools().eduOf(a.email);
      expect(edu.users).toHaveLength(1);
      expect(edu.classes.find((c) => c._id === made.classId)?.name).toMatch(/ \(New Record\)$/);
      expect(edu.assignments.map((x) => x._id).sort()).toEqual([old.assignmentId, made.assignmentId].sort());
      // Asked again: the same answer, no third class.
      expect((await assign({ student: b.sourcedId, lesson: lesson.sourcedId }).expect(200)).body).toMatchObject({
        assignmentId: made.assignmentId,
        classId: made.classId,
      });
      expect(
        await countRows(t.orm, 'tool_classes where lesson_sourced_id = ? and cohort = ?', [
          lesson.sourcedId,
          b.sourcedId,
        ]),
      ).toBe(1);
      // Taken and imported in its own class: its own result is final, the deleted student's is not.
      await takeAndImport(b.sourcedId, lesson.sourcedId, made);
      expect(
        await countRows(t.orm, 'assessment_results where student_sourced_id = ? and score is not null', [a.sourcedId]),
      ).toBe(0);
      expect([await loginRows(a.sourcedId), await loginRows(b.sourcedId)]).toEqual([0, 1]);
    });
  });

  describe('Edulastic: several lessons in parallel for a new student', () => {
    it('ends with one login that works, one class and one assignment per lesson', async () => {
      const student = await createStudent(t.orm);
      const lessons = await Promise.all(
        EDU_TESTS.map((vendorId) => createLesson(t.orm, { toolProvider: 'edulastic', vendorId })),
      );
      const res = await Promise.all(lessons.map((l) => assign({ student: student.sourcedId, lesson: l.sourcedId })));
      expect(res.map((r) => r.status)).toEqual(lessons.map(() => 200));
      const credentials = res.map((r) => r.body.credentials);
      expect(new Set(credentials.map((c) => JSON.stringify(c))).size).toBe(1);
      expect(await tools().eduLoginWorks(credentials[0])).toBe(true);

      const edu = await tools().eduOf(student.email);
      expect(edu.users).toHaveLength(1);
      expect(edu.classes).toHaveLength(lessons.length);
      expect(edu.assignments).toHaveLength(lessons.length);
      expect(
        await countRows(t.orm, "tool_logins where student_sourced_id = ? and state = 'ready'", [student.sourcedId]),
      ).toBe(1);
      // Asked again later, every lesson answers the same working credentials.
      for (const l of lessons)
        expect(
          (await assign({ student: student.sourcedId, lesson: l.sourcedId }).expect(200)).body.credentials,
        ).toEqual(credentials[0]);
    });
  });
});
