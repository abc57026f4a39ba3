import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { RequestContext } from '@mikro-orm/core';
import { AssignmentReconciler } from '@external-tests/assignments';
import { AttemptLedgerRepository } from '@external-tests/persistence';
import { DEFAULT_MASTERY_TRACK_TESTS } from '@external-tests/sandbox';
import { createLesson, createStudent } from '../helpers/fixtures';
import { ledgerRows, resultRow } from '../helpers/rows';
import { sandboxControl } from '../helpers/sandbox-control';
import { createTestApp, TestApp } from '../helpers/test-app';
import { toolState } from '../helpers/tool-state';

/**
 * A retry resumes an attempt whose first request made the MasteryTrack assignment and lost the answer. While the
 * retry's assign call is at the tool, the student finishes that first assignment: its write-back finalizes the
 * attempt, and MasteryTrack, no longer holding an active one, makes a second assignment that writes back to the
 * same, finished result. That assignment has no purpose: it is never recorded for the finished attempt, it is
 * withdrawn at the tool, and the next call assigns the next attempt.
 */
const ROUTE = '/powerpath/makeExternalTestAssignment';
const ASSIGN = '/delivery/assignments/assign';
const INVALIDATE = '/delivery/assignments/invalidate';
const MATH_G3 = DEFAULT_MASTERY_TRACK_TESTS.filter(
  (t) => t.subject === 'Math' && t.grade_rank === 3 && t.supported !== false,
);

/** The two ways a MasteryTrack test is asked for: a named test, or the lesson's subject and grade. */
type CallBody = (lesson: string, student: string) => Record<string, unknown>;
const BY_TEST: CallBody = (lesson, student) => ({ student, lesson, testId: MATH_G3[0].timeback_id });
const BY_SUBJECT: CallBody = (lesson, student) => ({ student, lesson });
const CALLS: [string, CallBody][] = [
  ['a named test', BY_TEST],
  ['subject and grade', BY_SUBJECT],
];

describe('an attempt that finishes at the tool while a retry asks the tool for it', () => {
  let t: TestApp;
  let token: string;
  const mt = () => sandboxControl(t.sandboxes, 'masteryTrack');
  const assign = (body: Record<string, unknown>) =>
    t.http().post(ROUTE).set('Authorization', `Bearer ${token}`).send(body);

  beforeAll(async () => {
    t = await createTestApp({ VENDOR_TIMEOUT_MS: '3000', VENDOR_DEADLINE_MS: '3500', ASSIGNMENT_LEASE_SECONDS: '6' });
    token = await t.token();
  });
  afterAll(() => t.close());
  afterEach(() => mt().clearFaults());

  /** The first request's assignment exists at MasteryTrack; every answer about it was lost (503 to the caller). */
  async function lostFirstAnswer(body: Record<string, unknown>) {
    await mt().fault({ method: 'POST', path: ASSIGN, loseAnswer: true, times: 3 });
    expect((await assign(body)).status).toBeGreaterThanOrEqual(500);
    await mt().clearFaults();
  }

  /** A new student's first call for a new lesson, whose MasteryTrack assignment exists but whose answer was lost. */
  async function firstAnswerLost(bodyOf: CallBody) {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm, { toolProvider: 'mastery-track', subject: 'Math', grades: ['3'] });
    const body = bodyOf(lesson.sourcedId, student.sourcedId);
    await lostFirstAnswer(body);
    const [first] = await toolState(t.sandboxes).mtAssignments(student.email);
    const firstResult: string = (await resultRow(t.orm, student.sourcedId, lesson.sourcedId, 1)).sourced_id;
    return { student, lesson, body, first, firstResult };
  }

  /** Starts the retry; resolves (to its pending answer) once its assign call is held at the tool. */
  async function retryHeldAtTool(body: Record<string, unknown>) {
    const before = await mt().count('POST', ASSIGN);
    await mt().fault({ method: 'POST', path: ASSIGN, delayMs: 2000, times: 1 });
    const retry = assign(body).then((r) => r);
    for (let i = 0; (await mt().count('POST', ASSIGN)) === before; i++) {
      if (i > 200) throw new Error('the retry never reached MasteryTrack');
      await sleep(10);
    }
    return { retry };
  }

  it.each(CALLS)(
    '%s: the second assignment is withdrawn, never recorded; the next call is attempt 2',
    async (_, bodyOf) => {
      const { student, lesson, body, first, firstResult } = await firstAnswerLost(bodyOf);
      expect(first).toMatchObject({ status: 'ASSIGNED', assessment_result_sourced_id: firstResult });

      const { retry } = await retryHeldAtTool(body);
      const delivered = await toolState(t.sandboxes).mtComplete(first.id, student.sourcedId, 85);
      expect(delivered.status).toBeLessThan(300);
      const answered = await retry;

      // The retry could not give the finished attempt another assignment: it says so, and the caller retries.
      expect(answered.status).toBe(409);
      expect(answered.headers['retry-after']).toBeDefined();
      const held = await toolState(t.sandboxes).mtAssignments(student.email);
      expect(held.map((a) => a.status).sort()).toEqual(['COMPLETED', 'INVALIDATED']);
      const finished = await resultRow(t.orm, student.sourcedId, lesson.sourcedId, 1);
      expect({ score: Number(finished.score), final: finished.finalized_at !== null }).toEqual({
        score: 85,
        final: true,
      });
      // Never recorded as the finished attempt's assignment; once withdrawn, not noted on its row either.
      expect(
        (await ledgerRows(t.orm, student.sourcedId)).map((r) => [r.attempt, r.state, r.external_id, r.lease_token]),
      ).toEqual([[1, 'pending', null, null]]);

      // The caller's retry: attempt 2, with an assignment of its own that writes back to attempt 2's result.
      const next = await assign(body).expect(200);
      expect(next.body).toMatchObject({ attempt: 2 });
      const active = await toolState(t.sandboxes).mtActive(student.email);
      const nextResult = (await resultRow(t.orm, student.sourcedId, lesson.sourcedId, 2)).sourced_id;
      expect(active.map((a) => [String(a.id), a.assessment_result_sourced_id])).toEqual([
        [next.body.assignmentId, nextResult],
      ]);
      expect((await ledgerRows(t.orm, student.sourcedId)).map((r) => [r.attempt, r.state, r.lease_token])).toEqual([
        [1, 'pending', null],
        [2, 'assigned', null],
      ]);
      // The seat was given back: another lesson of the student is assigned at once.
      const other = await createLesson(t.orm, { toolProvider: 'mastery-track', subject: 'Reading', grades: ['3'] });
      await assign({ student: student.sourcedId, lesson: other.sourcedId }).expect(200);
    },
    30_000,
  );

  it('finished before the retry asked: the retry is attempt 2 and the first attempt keeps its score', async () => {
    const { student, lesson, body, first } = await firstAnswerLost(BY_SUBJECT);
    expect((await toolState(t.sandboxes).mtComplete(first.id, student.sourcedId, 60)).status).toBeLessThan(300);
    const next = await assign(body).expect(200);
    expect(next.body.attempt).toBe(2);
    expect(Number((await resultRow(t.orm, student.sourcedId, lesson.sourcedId, 1)).score)).toBe(60);
    expect((await toolState(t.sandboxes).mtActive(student.email)).map((a) => String(a.id))).toEqual([
      next.body.assignmentId,
    ]);
  }, 30_000);

  it.each(CALLS)(
    '%s: the first write-back arrives after the retry recorded another assignment; the next attempt takes that one back',
    async (_, bodyOf) => {
      const { student, lesson, body, first, firstResult } = await firstAnswerLost(bodyOf);
      // The student finishes the first assignment, but its write-back does not get through (yet).
      t.recoveryPoints.current = (point, at) => {
        if (point === 'finalizing' && at.resultSourcedId === firstResult) throw new Error('write-back lost');
      };
      try {
        expect((await toolState(t.sandboxes).mtComplete(first.id, student.sourcedId, 85)).status).toBe(500);
      } finally {
        t.recoveryPoints.current = undefined;
      }
      // The retry cannot know: MasteryTrack has no active assignment for the attempt, makes one, and it is recorded.
      const retried = await assign(body).expect(200);
      expect(retried.body.attempt).toBe(1);
      expect(retried.body.assignmentId).not.toBe(String(first.id));
      const redelivered = await request(t.sandboxes.masteryTrack.url)
        .post(`/__sandbox/assignments/${first.id}/redeliver`)
        .send({})
        .expect(200);
      expect(redelivered.body.data.writeBack.status).toBeLessThan(300);
      const finished = await resultRow(t.orm, student.sourcedId, lesson.sourcedId, 1);
      expect({ score: Number(finished.score), final: finished.finalized_at !== null }).toEqual({
        score: 85,
        final: true,
      });

      // The finished attempt's recorded assignment serves nothing now: the next attempt takes it back, gets its own.
      const next = await assign(body).expect(200);
      expect(next.body.attempt).toBe(2);
      const held = await toolState(t.sandboxes).mtAssignments(student.email);
      const statusOf = (id: string | number) => held.find((a) => String(a.id) === String(id))?.status;
      expect([statusOf(first.id), statusOf(retried.body.assignmentId), statusOf(next.body.assignmentId)]).toEqual([
        'COMPLETED',
        'INVALIDATED',
        'ASSIGNED',
      ]);
      const nextResult = (await resultRow(t.orm, student.sourcedId, lesson.sourcedId, 2)).sourced_id;
      expect(held.find((a) => String(a.id) === next.body.assignmentId)?.assessment_result_sourced_id).toBe(nextResult);
    },
    30_000,
  );

  /** The race of the first test, with MasteryTrack refusing the withdrawal: the assignment made meanwhile is noted. */
  async function withdrawalFailed() {
    const { student, lesson, body, first } = await firstAnswerLost(BY_TEST);
    const { retry } = await retryHeldAtTool(body);
    await mt().fault({ method: 'POST', path: INVALIDATE, status: 500, times: 10 });
    expect((await toolState(t.sandboxes).mtComplete(first.id, student.sourcedId, 70)).status).toBeLessThan(300);
    expect((await retry).status).toBe(409);
    await mt().clearFaults();
    const second = (await toolState(t.sandboxes).mtActive(student.email))[0];
    expect(second.assessment_result_sourced_id).toBe(
      (await resultRow(t.orm, student.sourcedId, lesson.sourcedId, 1)).sourced_id,
    );
    expect((await ledgerRows(t.orm, student.sourcedId)).map((r) => [r.attempt, r.state, r.external_id])).toEqual([
      [1, 'pending', String(second.id)],
    ]);
    return { student, body, second };
  }

  it('a withdrawal that fails leaves the assignment noted on the finished attempt; reconciliation withdraws it', async () => {
    const { student, second } = await withdrawalFailed();
    const reconcile = () => RequestContext.create(t.orm.em, () => t.app.get(AssignmentReconciler).reconcile());
    // This one at least: void attempts other suites of this worker's database left are withdrawn too (404 here).
    const run = await reconcile();
    expect(run.withdrawn).toBeGreaterThanOrEqual(1);
    expect(run.failed).toBe(0);
    expect((await toolState(t.sandboxes).mtAssignments(student.email)).find((a) => a.id === second.id)?.status).toBe(
      'INVALIDATED',
    );
    expect((await ledgerRows(t.orm, student.sourcedId)).map((r) => [r.attempt, r.state, r.external_id])).toEqual([
      [1, 'pending', null],
    ]);
    // Withdrawn once: the next run has nothing to do for it.
    expect(await reconcile()).toMatchObject({ withdrawn: 0 });
  }, 30_000);

  it('a withdrawal that fails leaves the assignment noted on the finished attempt; the next attempt withdraws it', async () => {
    const { student, body, second } = await withdrawalFailed();
    const next = await assign(body).expect(200);
    expect(next.body.attempt).toBe(2);
    const held = await toolState(t.sandboxes).mtAssignments(student.email);
    expect(held.find((a) => a.id === second.id)?.status).toBe('INVALIDATED');
    expect((await toolState(t.sandboxes).mtActive(student.email)).map((a) => String(a.id))).toEqual([
      next.body.assignmentId,
    ]);
  }, 30_000);

  it("the next attempt cannot withdraw the finished attempt's assignment: 422 as before, and a later call can", async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm, { toolProvider: 'mastery-track', subject: 'Math', grades: ['3'] });
    const body = { student: student.sourcedId, lesson: lesson.sourcedId, testId: MATH_G3[0].timeback_id };
    const first = await assign(body).expect(200);
    const firstResult = (await resultRow(t.orm, student.sourcedId, lesson.sourcedId, 1)).sourced_id;
    // The attempt is finalized by another delivery (as when a retry recorded an assignment the student never took).
    await t.orm.em
      .fork()
      .getConnection()
      .execute(`update assessment_results set finalized_at = now(), score = 50 where sourced_id = ?`, [firstResult]);
    await mt().fault({ method: 'POST', path: INVALIDATE, status: 500, times: 10 });
    const refused = await assign(body).expect(422);
    expect(refused.body.imsx_description).toContain('attempt 1');
    await mt().clearFaults();
    const next = await assign(body).expect(200);
    expect(next.body.attempt).toBe(2);
    const held = await toolState(t.sandboxes).mtAssignments(student.email);
    expect(held.find((a) => String(a.id) === first.body.assignmentId)?.status).toBe('INVALIDATED');
  }, 30_000);

  it('the claim never leases a finished attempt, even for a request that read it before it finished', async () => {
    const { student, lesson, first } = await firstAnswerLost(BY_SUBJECT);
    const finished = await resultRow(t.orm, student.sourcedId, lesson.sourcedId, 1);
    expect((await toolState(t.sandboxes).mtComplete(first.id, student.sourcedId, 60)).status).toBeLessThan(300);
    // What a request that read the lesson before the write-back would claim: attempt 1 again.
    const claim = await RequestContext.create(t.orm.em, () =>
      t.app.get(AttemptLedgerRepository).claim({
        lessonSourcedId: lesson.sourcedId,
        lessonTitle: 'lesson',
        studentSourcedId: student.sourcedId,
        toolUser: null,
        attempt: 1,
        lineItemSourcedId: finished.line_item_sourced_id,
        tool: 'mastery-track',
        account: 'default',
        request: {},
        leaseSeconds: 30,
        resultMetadata: {},
        origin: 'test',
      }),
    );
    expect(claim).toBeUndefined();
    expect((await ledgerRows(t.orm, student.sourcedId)).map((r) => [r.attempt, r.lease_token])).toEqual([[1, null]]);
  }, 30_000);
});
