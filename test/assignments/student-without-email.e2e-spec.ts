import { RequestContext } from '@mikro-orm/core';
import { AssignmentReconciler } from '@external-tests/assignments';
import { DEFAULT_EDULASTIC_TESTS } from '@external-tests/sandbox';
import { createLesson, createStudent } from '../helpers/fixtures';
import { countRows, ledgerRow, resultRow } from '../helpers/rows';
import { sandboxControl } from '../helpers/sandbox-control';
import { createTestApp, TestApp } from '../helpers/test-app';
import { toolState } from '../helpers/tool-state';

/**
 * A student whose email the roster removed: the tools know a student by email only, so nothing new is asked of a tool
 * for them (422), but what is stored about their attempts still reads, and results the tool can find without the
 * email (pushed, or at a user the tool named) still come in.
 */
describe('a student whose email was removed after their tests were assigned', () => {
  let t: TestApp;
  let token: string;
  const tools = () => toolState(t.sandboxes);
  const pp = (method: 'get' | 'post', path: string) =>
    t.http()[method](`/powerpath/${path}`).set('Authorization', `Bearer ${token}`);
  const toolCalls = async () =>
    (await sandboxControl(t.sandboxes, 'masteryTrack').calls()).length +
    (await sandboxControl(t.sandboxes, 'edulastic').calls()).length;

  beforeAll(async () => {
    t = await createTestApp();
    token = await t.token();
  });
  afterAll(() => t.close());

  it('reads its attempts, progress and results, gets its assignments again, and is refused a new one before any tool call', async () => {
    const student = await createStudent(t.orm);
    const mt = await createLesson(t.orm, { subject: 'Math', grades: ['4'] });
    const edu = await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: DEFAULT_EDULASTIC_TESTS[0].id });
    const madeMt = (
      await pp('post', 'makeExternalTestAssignment')
        .send({ student: student.sourcedId, lesson: mt.sourcedId })
        .expect(200)
    ).body;
    const madeEdu = (
      await pp('post', 'makeExternalTestAssignment')
        .send({ student: student.sourcedId, lesson: edu.sourcedId })
        .expect(200)
    ).body;
    const open = await createLesson(t.orm, { subject: 'Math', grades: ['4'] });
    const madeOpen = (
      await pp('post', 'makeExternalTestAssignment')
        .send({ student: student.sourcedId, lesson: open.sourcedId })
        .expect(200)
    ).body;
    await tools().mtComplete(madeMt.assignmentId, student.sourcedId, 85);
    await tools().eduSubmit(
      madeEdu.assignmentId,
      madeEdu.credentials.email,
      Array(DEFAULT_EDULASTIC_TESTS[0].questionCount).fill(1),
    );
    await t.orm.em
      .fork()
      .getConnection()
      .execute('update users set email = null where sourced_id = ?', [student.sourcedId]);

    for (const lesson of [mt, edu]) {
      const q = { student: student.sourcedId, lesson: lesson.sourcedId };
      expect((await pp('get', 'getAttempts').query(q).expect(200)).body.attempts).toHaveLength(1);
      await pp('get', 'getAssessmentProgress').query(q).expect(200);
      const testOut = await pp('get', 'testOut')
        .query({ student: student.sourcedId, course: lesson.courseSourcedId })
        .expect(200);
      expect(testOut.body).toEqual(expect.objectContaining({ lessonId: lesson.sourcedId, attempt: 1 }));
    }
    // Pushed (MasteryTrack wrote back) and pulled (Edulastic, found by the user id it named at the assignment).
    const imported = await Promise.all(
      [mt, edu].map(
        async (l) =>
          (
            await pp('get', 'importExternalTestAssignmentResults')
              .query({ student: student.sourcedId, lesson: l.sourcedId })
              .expect(200)
          ).body,
      ),
    );
    expect(imported.map((b) => [b.toolProvider, b.finalized])).toEqual([
      ['mastery-track', true],
      ['edulastic', true],
    ]);
    // Its open test is answered from what was stored; nothing is asked of a tool.
    const calls = await toolCalls();
    const again = await pp('post', 'makeExternalTestAssignment')
      .send({ student: student.sourcedId, lesson: open.sourcedId })
      .expect(200);
    expect(again.body).toEqual(madeOpen);

    const other = await createLesson(t.orm, { subject: 'Math', grades: ['4'] });
    const refused = await pp('post', 'makeExternalTestAssignment')
      .send({ student: student.sourcedId, lesson: other.sourcedId })
      .expect(422);
    expect([refused.body.imsx_error_details[0].code, refused.body.imsx_description]).toEqual([
      'INVALID_DATA',
      `Student '${student.sourcedId}' has no email: the tools know a student by email only`,
    ]);
    // A retake of a finished attempt asks a tool too.
    const retake = await pp('post', 'makeExternalTestAssignment')
      .send({ student: student.sourcedId, lesson: edu.sourcedId })
      .expect(422);
    expect(retake.body.imsx_description).toBe(refused.body.imsx_description);
    expect(await toolCalls()).toBe(calls);
    expect(
      (await pp('get', 'getAttempts').query({ student: student.sourcedId, lesson: edu.sourcedId })).body.attempts,
    ).toHaveLength(1);
    expect(
      await countRows(
        t.orm,
        'assessment_results where student_sourced_id = ? and line_item_sourced_id in (select line_item_sourced_id from lesson_line_items where lesson_sourced_id = ?)',
        [student.sourcedId, other.sourcedId],
      ),
    ).toBe(0);
  });

  it('its void MasteryTrack test is withdrawn at the email it was made for', async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm, { subject: 'Math', grades: ['4'] });
    const made = (
      await pp('post', 'makeExternalTestAssignment')
        .send({ student: student.sourcedId, lesson: lesson.sourcedId })
        .expect(200)
    ).body;
    await t.orm.em
      .fork()
      .getConnection()
      .execute('update users set email = null where sourced_id = ?', [student.sourcedId]);
    const { sourced_id: result } = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
    await t
      .http()
      .delete(`/ims/oneroster/gradebook/v1p2/assessmentResults/${result}`)
      .set('Authorization', `Bearer ${token}`)
      .expect(204);

    const outcome = await RequestContext.create(t.orm.em, () => t.app.get(AssignmentReconciler).reconcile());
    expect(outcome.failed).toBe(0);
    const [atTool] = (await tools().mtAssignments(student.email)).filter((a) => String(a.id) === made.assignmentId);
    expect(atTool.status).toBe('INVALIDATED');
    expect((await ledgerRow(t.orm, result)).withdrawn_at).not.toBeNull();
  });
});
