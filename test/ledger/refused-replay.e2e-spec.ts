import { createLesson, createStudent, StudentFixture } from '../helpers/fixtures';
import { ledgerRows } from '../helpers/rows';
import { delayMasteryTrackAssign, sandboxControl } from '../helpers/sandbox-control';
import { createTestApp, TestApp } from '../helpers/test-app';
import { toolState } from '../helpers/tool-state';

/**
 * A pending attempt replays the request it was first asked with, so that the tool's "exists" is adopted. When
 * MasteryTrack does not know the test that request names, no call of it made anything: the attempt asks with the
 * caller's request from then on, instead of answering the old refusal to every later call (found by
 * interleavings.property.e2e-spec.ts, seed -1598023495).
 */
const ROUTE = '/powerpath/makeExternalTestAssignment';
const MT_ASSIGN = '/delivery/assignments/assign';
const UNKNOWN_TEST = 'no-such-test';

describe('a refused replay of a pending attempt', () => {
  let t: TestApp;
  let token: string;
  const mt = () => sandboxControl(t.sandboxes, 'masteryTrack');
  const assign = (body: Record<string, unknown>) =>
    t.http().post(ROUTE).set('Authorization', `Bearer ${token}`).send(body);
  /** MasteryTrack's assign calls since `from`, by status. */
  const assignStatuses = async (from: number) =>
    (await mt().calls())
      .slice(from)
      .filter((c) => c.method === 'POST' && c.path === MT_ASSIGN)
      .map((c) => c.status);

  beforeAll(async () => {
    t = await createTestApp({ VENDOR_TIMEOUT_MS: '300', VENDOR_DEADLINE_MS: '1000', ASSIGNMENT_LEASE_SECONDS: '5' });
    token = await t.token();
  });
  afterAll(() => t.close());
  afterEach(() => mt().clearFaults());

  /** The caller asks for a test MasteryTrack does not know while it answers too late: 504, the attempt pending. */
  async function timedOutWithUnknownTest(student: string, lesson: string) {
    await delayMasteryTrackAssign(t.sandboxes, 700, 10);
    const res = await assign({ student, lesson, testId: UNKNOWN_TEST });
    expect(res.status).toBe(504);
    await mt().clearFaults();
    const [row] = await ledgerRows(t.orm, student);
    // The call is recorded as made for the student's email (what holds it from other students meanwhile).
    expect(row).toMatchObject({
      state: 'pending',
      called: true,
      tool_user_id: `${student}@example.org`.toLowerCase(),
      request: { requestedTestId: UNKNOWN_TEST },
    });
  }

  /**
   * A plain call after the timeout: the recorded request is replayed and refused (404), then the caller's own one
   * makes the assignment (201), recorded on the attempt's row and writing back to its result. Answers that row.
   */
  async function assignsWithOwnRequest(student: StudentFixture, lesson: string) {
    const from = (await mt().calls()).length;
    const res = await assign({ student: student.sourcedId, lesson });
    expect(res.status).toBe(200);
    expect(res.body.attempt).toBe(1);
    expect(await assignStatuses(from)).toEqual([404, 201]);
    const [row] = await ledgerRows(t.orm, student.sourcedId);
    expect(row).toMatchObject({
      state: 'assigned',
      called: false,
      external_id: res.body.assignmentId,
      request: { requestedTestId: null },
    });
    const active = await toolState(t.sandboxes).mtActive(student.email);
    expect(active.map((a) => [String(a.id), a.assessment_result_sourced_id])).toEqual([
      [res.body.assignmentId, row.result_sourced_id],
    ]);
    return row;
  }

  it('another body after the timeout is asked with its own request once the tool refuses the recorded one', async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm);
    await timedOutWithUnknownTest(student.sourcedId, lesson.sourcedId);
    const [pending] = await ledgerRows(t.orm, student.sourcedId);

    const assigned = await assignsWithOwnRequest(student, lesson.sourcedId);

    expect(assigned.result_sourced_id).toBe(pending.result_sourced_id);
  });

  it('the same request again hears the refusal, and the attempt asks with the next, corrected one', async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm);
    await timedOutWithUnknownTest(student.sourcedId, lesson.sourcedId);
    const [pending] = await ledgerRows(t.orm, student.sourcedId);

    const again = await assign({ student: student.sourcedId, lesson: lesson.sourcedId, testId: UNKNOWN_TEST });

    expect(again.status).toBe(422);
    expect(again.body.imsx_error_details[0]).toMatchObject({ code: 'TOOL_REFUSED', vendorCode: 'TEST_NOT_FOUND' });
    // Nothing is held, and nothing of the attempt is at the tool any more (`called` unset); the result stays.
    const [refused] = await ledgerRows(t.orm, student.sourcedId);
    expect(refused).toMatchObject({
      result_sourced_id: pending.result_sourced_id,
      state: 'pending',
      called: false,
      tool_user_id: null,
      lease_token: null,
    });
    const [seat] = await t.orm.em
      .fork()
      .getConnection()
      .execute<
        { holder: string | null }[]
      >('select holder from tool_seats where student_sourced_id = ?', [student.sourcedId]);
    expect(seat?.holder ?? null).toBeNull();

    const corrected = await assignsWithOwnRequest(student, lesson.sourcedId);
    expect(corrected.result_sourced_id).toBe(pending.result_sourced_id);
  });

  it("a refusal by subject and grade is no proof (the lost call's test may be used up): the attempt stays as it was", async () => {
    const student = await createStudent(t.orm);
    // MasteryTrack has no test of this subject: "no supported test left", as when the student completed the last one.
    const lesson = await createLesson(t.orm, { subject: 'Astronomy' });
    await delayMasteryTrackAssign(t.sandboxes, 700, 10);
    expect((await assign({ student: student.sourcedId, lesson: lesson.sourcedId })).status).toBe(504);
    await mt().clearFaults();

    const replay = await assign({ student: student.sourcedId, lesson: lesson.sourcedId, testId: UNKNOWN_TEST });

    expect(replay.status).toBe(422);
    // The caller named a test: the answer says whose request was refused.
    expect(replay.body.imsx_description).toMatch(/^This attempt is pending with the request it was first asked with/);
    expect(replay.body.imsx_description).toContain('subject: Astronomy');
    const [row] = await ledgerRows(t.orm, student.sourcedId);
    expect(row).toMatchObject({
      state: 'pending',
      called: true,
      tool_user_id: student.email.toLowerCase(),
      lease_token: null,
      request: { requestedTestId: null },
    });
  });
});
