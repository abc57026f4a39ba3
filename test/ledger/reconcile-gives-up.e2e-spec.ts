import request from 'supertest';
import { RequestContext } from '@mikro-orm/core';
import { AssignmentReconciler } from '@external-tests/assignments';
import { createLesson, createStudent, StudentFixture } from '../helpers/fixtures';
import { ledgerRows, resultRow } from '../helpers/rows';
import { sandboxControl } from '../helpers/sandbox-control';
import { createTestApp, TestApp } from '../helpers/test-app';
import { toolState } from '../helpers/tool-state';

/**
 * `npm run reconcile` gives up an attempt the tool refuses, without forgetting what a lost call may have made: the
 * attempt stays pending (so that call's late write-back still finalizes it) and is not retried until a request
 * resumes it. Reading grade 3 has one MasteryTrack test: once the student completed the assignment the lost call
 * made, "no supported test left" is MasteryTrack's true answer to the replay, not an injected one.
 */
const ROUTE = '/powerpath/makeExternalTestAssignment';
const ASSIGN = '/delivery/assignments/assign';

describe('reconciliation of an attempt the tool refuses', () => {
  let t: TestApp;
  let token: string;
  const mt = () => sandboxControl(t.sandboxes, 'masteryTrack');
  const assign = (body: Record<string, unknown>) =>
    t.http().post(ROUTE).set('Authorization', `Bearer ${token}`).send(body);
  const reconcile = () => RequestContext.create(t.orm.em, () => t.app.get(AssignmentReconciler).reconcile());
  /**
   * Runs reconciliation until the student's attempt is given up, and answers its row. A run takes 100 attempts, and
   * attempts that other suites of this worker's database left can come before it (its lease ended last).
   */
  async function reconcileUntilGivenUp(student: string) {
    for (let run = 0; run < 10; run++) {
      await reconcile();
      const [row] = await ledgerRows(t.orm, student);
      if (row.given_up_at !== null) return row;
    }
    throw new Error('the attempt was not given up in ten reconciliation runs');
  }

  beforeAll(async () => {
    t = await createTestApp({ VENDOR_TIMEOUT_MS: '3000', VENDOR_DEADLINE_MS: '3500', ASSIGNMENT_LEASE_SECONDS: '6' });
    token = await t.token();
  });
  afterAll(() => t.close());
  afterEach(async () => {
    t.recoveryPoints.current = undefined;
    await mt().clearFaults();
  });

  /**
   * The first call's assignment exists at MasteryTrack, its answer lost; the student completes it, and its
   * write-back does not get through. Reconciliation's replay is refused: the row is given up, still pending.
   */
  async function givenUpAfterLostWriteBack() {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm, { subject: 'Reading', grades: ['3'] });
    const body = { student: student.sourcedId, lesson: lesson.sourcedId };
    await mt().fault({ method: 'POST', path: ASSIGN, loseAnswer: true, times: 3 });
    expect((await assign(body)).status).toBeGreaterThanOrEqual(500);
    await mt().clearFaults();
    const [made] = await toolState(t.sandboxes).mtActive(student.email);
    const [pending] = await ledgerRows(t.orm, student.sourcedId);
    expect(made.assessment_result_sourced_id).toBe(pending.result_sourced_id);

    t.recoveryPoints.current = (point, at) => {
      if (point === 'finalizing' && at.resultSourcedId === pending.result_sourced_id)
        throw new Error('write-back lost');
    };
    expect((await toolState(t.sandboxes).mtComplete(made.id, student.sourcedId, 85)).status).toBe(500);
    t.recoveryPoints.current = undefined;

    const givenUp = await reconcileUntilGivenUp(student.sourcedId);
    expect(givenUp).toMatchObject({
      result_sourced_id: pending.result_sourced_id,
      state: 'pending',
      called: true,
      external_id: null,
      lease_token: null,
    });
    expect(givenUp.given_up_at).not.toBeNull();
    return { student, lesson, body, made, givenUpAt: givenUp.given_up_at as Date };
  }

  /** MasteryTrack delivers the completed assignment's write-back again. */
  async function redeliver(id: number, student: StudentFixture, lesson: string) {
    const res = await request(t.sandboxes.masteryTrack.url).post(`/__sandbox/assignments/${id}/redeliver`).send({});
    expect(res.body.data.writeBack.status).toBeLessThan(300);
    const result = await resultRow(t.orm, student.sourcedId, lesson, 1);
    return { score: Number(result.score), final: result.finalized_at !== null };
  }

  it('gives the attempt up, retries it no more, and a late write-back still finalizes it', async () => {
    const { student, lesson, made, givenUpAt } = await givenUpAfterLostWriteBack();

    // Not retried: a retry's claim would clear the mark, and its refusal set it anew.
    await reconcile();
    const [after] = await ledgerRows(t.orm, student.sourcedId);
    expect(after).toMatchObject({ state: 'pending', called: true, given_up_at: givenUpAt });

    expect(await redeliver(made.id, student, lesson.sourcedId)).toEqual({ score: 85, final: true });
  }, 30_000);

  it('a request that resumes a given-up attempt hands it back to reconciliation', async () => {
    const { student, lesson, body, made } = await givenUpAfterLostWriteBack();

    // The caller hears the refusal of the replayed request; the attempt stays pending, no longer given up.
    const again = await assign(body);
    expect(again.status).toBe(422);
    expect(again.body.imsx_error_details[0]).toMatchObject({ code: 'TOOL_REFUSED', vendorCode: 'TEST_NOT_FOUND' });
    const [resumed] = await ledgerRows(t.orm, student.sourcedId);
    expect(resumed).toMatchObject({ state: 'pending', called: true, given_up_at: null });

    // Retried, refused again, given up again.
    expect(await reconcileUntilGivenUp(student.sourcedId)).toMatchObject({ state: 'pending', called: true });

    expect(await redeliver(made.id, student, lesson.sourcedId)).toEqual({ score: 85, final: true });
  }, 30_000);
});
