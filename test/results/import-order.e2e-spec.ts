import request from 'supertest';
import { DEFAULT_EDULASTIC_TESTS } from '@external-tests/sandbox';
import { createLesson, createStudent } from '../helpers/fixtures';
import { resultRow } from '../helpers/rows';
import { sandboxControl } from '../helpers/sandbox-control';
import { createTestApp, TestApp } from '../helpers/test-app';

const PP = '/powerpath';
const eduTest = DEFAULT_EDULASTIC_TESTS[0];

/**
 * Two imports of one attempt that overlap: the first asks Edulastic, whose answer (the state it read then) reaches us
 * late; meanwhile the student answers more and a second import stores that. The late answer is the older state: it
 * must change nothing, neither the score nor the questions, nor finalize the attempt.
 */
describe('overlapping imports of one attempt', () => {
  let t: TestApp;
  let token: string;
  const auth = (r: request.Test) => r.set('Authorization', `Bearer ${token}`);
  const importResults = (student: string, lesson: string) =>
    auth(t.http().get(`${PP}/importExternalTestAssignmentResults`)).query({ student, lesson });
  const progress = (student: string, lesson: string) =>
    auth(t.http().get(`${PP}/getAssessmentProgress`)).query({ student, lesson });
  const edu = () => request(t.sandboxes.edulastic.url);
  const latency = (ms: number) => edu().post('/api/__sandbox/latency').send({ ms }).expect(200);
  const answers = (correct: number) =>
    Array.from({ length: eduTest.questionCount }, (_, i) => (i < correct ? { score: 1, maxScore: 1 } : null));
  const submit = (assignmentId: string, email: string, correct: number, graded = 'IN GRADING') =>
    edu()
      .post('/api/__sandbox/submit')
      .send({ assignmentId, email, answers: answers(correct), graded })
      .expect(200);

  const newAssignment = async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm, {
      toolProvider: 'edulastic',
      lessonType: 'unit-test',
      vendorId: eduTest.id,
    });
    const assigned = await auth(t.http().post(`${PP}/makeExternalTestAssignment`))
      .send({ student: student.sourcedId, lesson: lesson.sourcedId })
      .expect(200);
    return { student, lesson, ...(assigned.body as { assignmentId: string; classId: string }) };
  };

  /** Starts an import whose read the tool answers 1.5 s late (within VENDOR_TIMEOUT_MS: one read, no retry) (the state as it was then), once that read is at the tool. */
  const slowImport = async (student: string, lesson: string, assignmentId: string, classId: string) => {
    await latency(1_500);
    const state = { answered: false };
    const answer = importResults(student, lesson).then((r) => {
      state.answered = true;
      return r;
    });
    await sandboxControl(t.sandboxes, 'edulastic').untilInFlight(
      'POST',
      `/api/assignments/${assignmentId}/classes/${classId}/test-activity`,
    );
    await latency(0);
    return { answer, state };
  };

  beforeAll(async () => {
    t = await createTestApp();
    token = await t.token();
  });
  afterAll(() => t.close());
  afterEach(() => latency(0));

  it.each([
    ['nothing submitted, then everything (a lower status arrives last)', 0],
    [
      'half answered, then everything (the same status; the older read arrives last)',
      Math.floor(eduTest.questionCount / 2),
    ],
  ])('%s: the late answer changes nothing', async (_name, before) => {
    const { student, lesson, assignmentId, classId } = await newAssignment();
    if (before > 0) await submit(assignmentId, student.email, before);
    const slow = await slowImport(student.sourcedId, lesson.sourcedId, assignmentId, classId);
    await submit(assignmentId, student.email, eduTest.questionCount);
    await importResults(student.sourcedId, lesson.sourcedId).expect(200);
    // The order this test is about: the later read stored first, the earlier one still on its way.
    expect(slow.state.answered).toBe(false);
    const newer = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
    expect(newer).toMatchObject({ score: 100, score_status: 'submitted' });
    expect(newer.metadata.correctQuestions).toBe(eduTest.questionCount);

    expect((await slow.answer).status).toBe(200);
    const stored = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
    expect([stored.score, stored.score_status, stored.metadata]).toEqual([
      newer.score,
      newer.score_status,
      newer.metadata,
    ]);
    // The questions agree with the score: they come from the same read.
    const shown = (await progress(student.sourcedId, lesson.sourcedId).expect(200)).body;
    expect(shown).toMatchObject({ score: 100, correctQuestions: eduTest.questionCount });
    expect(shown.questions).toHaveLength(eduTest.questionCount);
    expect(shown.questions.every((q: { correct: boolean }) => q.correct)).toBe(true);
  });

  it('a final read that a later read overtook does not finalize the attempt: the later one (a regrade) decides', async () => {
    const { student, lesson, assignmentId, classId } = await newAssignment();
    await submit(assignmentId, student.email, eduTest.questionCount, 'GRADED');
    const slow = await slowImport(student.sourcedId, lesson.sourcedId, assignmentId, classId);
    // The teacher sends it back to grading: the tool's state moves back.
    await submit(assignmentId, student.email, eduTest.questionCount, 'IN GRADING');
    expect((await importResults(student.sourcedId, lesson.sourcedId).expect(200)).body.finalized).toBe(false);
    expect(slow.state.answered).toBe(false);
    const late = await slow.answer;
    expect(late.status).toBe(200);
    expect(late.body.finalized).toBe(false);
    const stored = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
    expect(stored).toMatchObject({ score_status: 'submitted', finalized_at: null });
  });

  it("a gradebook write cannot set the imports' order (metadata.toolReadAt is the imports' own)", async () => {
    const { student, lesson, assignmentId } = await newAssignment();
    const row = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
    await auth(t.http().put(`/ims/oneroster/gradebook/v1p2/assessmentResults/${row.sourced_id}`))
      .send({
        assessmentResult: {
          sourcedId: row.sourced_id,
          status: 'active',
          assessmentLineItem: { sourcedId: row.line_item_sourced_id },
          student: { sourcedId: student.sourcedId },
          scoreStatus: 'not submitted',
          scoreDate: new Date().toISOString(),
          metadata: { toolReadAt: '9999-12-31T23:59:59.999Z' },
        },
      })
      .expect(201);
    expect((await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).metadata.toolReadAt).toBeUndefined();
    await submit(assignmentId, student.email, eduTest.questionCount);
    await importResults(student.sourcedId, lesson.sourcedId).expect(200);
    expect(await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).toMatchObject({
      score: 100,
      score_status: 'submitted',
    });
  });
});
