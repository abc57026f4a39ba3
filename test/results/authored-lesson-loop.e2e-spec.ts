import request from 'supertest';
import { DEFAULT_EDULASTIC_TESTS, DEFAULT_MASTERY_TRACK_TESTS } from '@external-tests/sandbox';
import { createCourse } from '../helpers/authoring';
import { createStudent } from '../helpers/fixtures';
import { createTrackedSubject, enrollmentsOf } from '../helpers/lesson-setup';
import { createTestApp, TestApp } from '../helpers/test-app';

const PP = '/powerpath';
const eduTest = DEFAULT_EDULASTIC_TESTS[0];
const mtTest = DEFAULT_MASTERY_TRACK_TESTS[0];

/**
 * The whole loop from a lesson made by createExternalPlacementTest: assign, the student scores, the result comes
 * back (MasteryTrack's write-back, Edulastic's import), and the enrollment policy reads the lesson's courseIdOnFail
 * exactly as for a lesson loaded through OneRoster.
 */
describe('results loop from an authored placement', () => {
  let t: TestApp;
  let token: string;
  const auth = (r: request.Test) => r.set('Authorization', `Bearer ${token}`);
  const createPlacement = (body: Record<string, unknown>) =>
    auth(t.http().post(`${PP}/createExternalPlacementTest`))
      .send({ lessonType: 'placement', grades: ['4'], ...body })
      .expect(200);
  // The tracked subjects are unique per test (isolated tracks), so MasteryTrack gets an explicit test.
  const assign = (student: string, lesson: string, tool: string) =>
    auth(t.http().post(`${PP}/makeExternalTestAssignment`))
      .send({ student, lesson, ...(tool === 'mastery-track' ? { testId: mtTest.timeback_id } : {}) })
      .expect(200);

  /** The student finishes with `score`: MasteryTrack writes it back; an Edulastic result is imported. */
  async function takeTest(
    tool: string,
    student: { sourcedId: string; email: string },
    lesson: string,
    assignmentId: string,
    score: number,
  ) {
    if (tool === 'mastery-track') {
      await request(t.sandboxes.masteryTrack.url)
        .post(`/__sandbox/assignments/${assignmentId}/complete`)
        .send({ score, totalQuestions: 20, correctQuestions: score / 5, studentSourcedId: student.sourcedId })
        .expect(200);
    } else {
      const right = Math.round((score / 100) * eduTest.questionCount);
      const answers = Array.from({ length: eduTest.questionCount }, (_, i) => ({
        score: i < right ? 1 : 0,
        maxScore: 1,
      }));
      await request(t.sandboxes.edulastic.url)
        .post('/api/__sandbox/submit')
        .send({ assignmentId, email: student.email, answers, graded: 'GRADED' })
        .expect(200);
      await auth(t.http().get(`${PP}/importExternalTestAssignmentResults`))
        .query({ student: student.sourcedId, lesson })
        .expect(200);
    }
    const progress = await auth(t.http().get(`${PP}/getAssessmentProgress`))
      .query({ student: student.sourcedId, lesson })
      .expect(200);
    expect(progress.body).toMatchObject({ finalized: true, enrollmentFailed: false });
  }

  beforeAll(async () => {
    t = await createTestApp();
    token = await t.token();
  });
  afterAll(() => t.close());

  describe.each([
    ['MasteryTrack', { toolProvider: 'mastery-track' }],
    ['Edulastic', { toolProvider: 'edulastic', vendorId: eduTest.id }],
  ])('%s', (_name, tool) => {
    it('create placement → assign → below 90 → enrolled in courseIdOnFail', async () => {
      const tracked = await createTrackedSubject(t.orm);
      const course = await createCourse(t.orm, { subjects: [tracked.subject], org: tracked.org });
      const lesson = (await createPlacement({ courseId: course, courseIdOnFail: tracked.courses.fallback, ...tool }))
        .body.lessonId;
      const student = await createStudent(t.orm);

      const assigned = await assign(student.sourcedId, lesson, tool.toolProvider);
      await takeTest(tool.toolProvider, student, lesson, assigned.body.assignmentId, 40);

      expect((await enrollmentsOf(t.orm, student.sourcedId)).map((e) => e.course_sourced_id)).toEqual([
        tracked.courses.fallback,
      ]);
    });

    it('updated without courseIdOnFail: below 90 places by the track of the grade; 90 or more, the next grade', async () => {
      const tracked = await createTrackedSubject(t.orm);
      const course = await createCourse(t.orm, { subjects: [tracked.subject], org: tracked.org });
      const created = (await createPlacement({ courseId: course, courseIdOnFail: tracked.courses.fallback, ...tool }))
        .body;
      const updated = (await createPlacement({ courseId: course, ...tool })).body;
      expect(updated).toMatchObject({ lessonId: created.lessonId, courseIdOnFail: null });
      const [low, high] = [await createStudent(t.orm), await createStudent(t.orm)];

      await takeTest(
        tool.toolProvider,
        low,
        created.lessonId,
        (await assign(low.sourcedId, created.lessonId, tool.toolProvider)).body.assignmentId,
        40,
      );
      await takeTest(
        tool.toolProvider,
        high,
        created.lessonId,
        (await assign(high.sourcedId, created.lessonId, tool.toolProvider)).body.assignmentId,
        100,
      );

      expect((await enrollmentsOf(t.orm, low.sourcedId)).map((e) => e.course_sourced_id)).toEqual([
        tracked.courses['4'],
      ]);
      expect((await enrollmentsOf(t.orm, high.sourcedId)).map((e) => e.course_sourced_id)).toEqual([
        tracked.courses['5'],
      ]);
    });
  });
});
