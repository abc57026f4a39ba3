import { createLesson, createStudent } from '../helpers/fixtures';
import { ledgerRows } from '../helpers/rows';
import { delayMasteryTrackAssign, sandboxControl } from '../helpers/sandbox-control';
import { createTestApp, TestApp } from '../helpers/test-app';
import { toolState } from '../helpers/tool-state';

/**
 * A pending attempt replays the request it was first asked with, so that the tool's "exists" is adopted. When the
 * tool refuses that request (an unknown testId), no call of it made anything: the attempt is open again and asked
 * with the caller's own request, instead of answering the old refusal to every later call (found by
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
    expect(row).toMatchObject({ state: 'pending', called: true, request: { requestedTestId: UNKNOWN_TEST } });
  }

  it('another body after the timeout is asked with its own request once the tool refuses the recorded one', async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm);
    await timedOutWithUnknownTest(student.sourcedId, lesson.sourcedId);
    const from = (await mt().calls()).length;

    const res = await assign({ student: student.sourcedId, lesson: lesson.sourcedId });

    expect(res.status).toBe(200);
    expect(res.body.attempt).toBe(1);
    // The recorded request was replayed and refused, then the caller's own one made the assignment.
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
  });

  it('the same request again hears the refusal and leaves the attempt open for a corrected one', async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm);
    await timedOutWithUnknownTest(student.sourcedId, lesson.sourcedId);
    const [pending] = await ledgerRows(t.orm, student.sourcedId);

    const again = await assign({ student: student.sourcedId, lesson: lesson.sourcedId, testId: UNKNOWN_TEST });

    expect(again.status).toBe(422);
    expect(again.body.imsx_error_details[0]).toMatchObject({ code: 'TOOL_REFUSED', vendorCode: 'TEST_NOT_FOUND' });
    const [open] = await ledgerRows(t.orm, student.sourcedId);
    // The result stays (an assignment made and completed meanwhile would still write back to it); nothing is held.
    expect(open).toMatchObject({
      result_sourced_id: pending.result_sourced_id,
      state: 'open',
      called: false,
      tool: null,
      lease_token: null,
      request: {},
    });
    const [seat] = await t.orm.em
      .fork()
      .getConnection()
      .execute<
        { holder: string | null }[]
      >('select holder from tool_seats where student_sourced_id = ?', [student.sourcedId]);
    expect(seat?.holder ?? null).toBeNull();

    const corrected = await assign({ student: student.sourcedId, lesson: lesson.sourcedId });
    expect(corrected.status).toBe(200);
    expect(corrected.body.attempt).toBe(1);
    const [assigned] = await ledgerRows(t.orm, student.sourcedId);
    expect(assigned).toMatchObject({ result_sourced_id: pending.result_sourced_id, state: 'assigned' });
    expect((await toolState(t.sandboxes).mtActive(student.email)).length).toBe(1);
  });
});
