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
 * must change nothing, neither the score nor the questions.
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
  const submit = (assignmentId: string, email: string, correct: number) =>
    edu()
      .post('/api/__sandbox/submit')
      .send({ assignmentId, email, answers: answers(correct), graded: 'IN GRADING' })
      .expect(200);

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
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm, {
      toolProvider: 'edulastic',
      lessonType: 'unit-test',
      vendorId: eduTest.id,
    });
    const assigned = await auth(t.http().post(`${PP}/makeExternalTestAssignment`))
      .send({ student: student.sourcedId, lesson: lesson.sourcedId })
      .expect(200);
    const { assignmentId, classId } = assigned.body as { assignmentId: string; classId: string };
    if (before > 0) await submit(assignmentId, student.email, before);

    // The first import's read reaches the tool, which reads the state at once and answers 2 s later.
    await latency(2_000);
    const slow = importResults(student.sourcedId, lesson.sourcedId).then((r) => r);
    await sandboxControl(t.sandboxes, 'edulastic').untilInFlight(
      'POST',
      `/api/assignments/${assignmentId}/classes/${classId}/test-activity`,
    );
    await latency(0);
    await submit(assignmentId, student.email, eduTest.questionCount);
    await importResults(student.sourcedId, lesson.sourcedId).expect(200);
    const newer = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
    expect(newer).toMatchObject({ score: 100, score_status: 'submitted' });
    expect(newer.metadata.correctQuestions).toBe(eduTest.questionCount);

    expect((await slow).status).toBe(200);
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
});
