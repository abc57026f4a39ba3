import { Router } from 'express';
import { bodyOf, isNonEmptyString } from '../body';
import { parseAnswers } from './activity';
import { sendMessage } from './errors';
import type { EdulasticStore, GradingStatus } from './store';
import { recordSubmission } from './submission';
import { missingField } from './validation';
import { assignmentView, classView, studentView, testActivityView } from './views';

const GRADING_STATUSES: readonly GradingStatus[] = ['GRADED', 'IN GRADING'];

/** Sandbox-only routes under /api/__sandbox: a student submits, and a dump of the state for tests. */
export function edulasticControlRouter(store: EdulasticStore): Router {
  const router = Router();

  /**
   * `{assignmentId, email, answers: [{score, maxScore} | null], graded?, submittedAt?}` (graded defaults to "GRADED",
   * submittedAt — epoch ms, not ahead of now — to now: a student who submitted before the import ran).
   * Submitting again replaces the student's attempt (same activity id), e.g. "IN GRADING" then "GRADED".
   */
  router.post('/submit', (req, res) => {
    const body = bodyOf(req);
    const missing = missingField(body, ['assignmentId', 'email']);
    if (missing) return sendMessage(res, 400, missing);
    const graded = body.graded ?? 'GRADED';
    if (!GRADING_STATUSES.includes(graded as GradingStatus)) {
      return sendMessage(res, 400, 'graded must be "GRADED" or "IN GRADING"');
    }
    const assignment = store.assignments.get(String(body.assignmentId));
    if (!assignment) return sendMessage(res, 404, 'Assignment not found');
    const student = isNonEmptyString(body.email) ? store.findUser(body.email.trim()) : undefined;
    if (student?.role !== 'student') return sendMessage(res, 404, 'Student not found');
    const test = store.test(assignment.testId);
    if (!test) return sendMessage(res, 404, 'Test not found');
    const answers = parseAnswers(body.answers, test);
    if (typeof answers === 'string') return sendMessage(res, 400, answers);
    const submittedAt = body.submittedAt ?? Date.now();
    if (typeof submittedAt !== 'number' || !Number.isSafeInteger(submittedAt) || submittedAt > Date.now())
      return sendMessage(res, 400, 'submittedAt must be epoch milliseconds, not ahead of now');
    const outcome = recordSubmission(store, assignment, student, answers, graded as GradingStatus, submittedAt);
    if ('status' in outcome) return sendMessage(res, outcome.status, outcome.message);
    const { activity } = outcome;
    res.json({ result: { testActivity: testActivityView(activity), testQuestionActivities: activity.questions } });
  });

  router.get('/state', (_req, res) => {
    res.json({
      result: {
        classes: [...store.classes.values()].map((c) => ({ ...classView(c), studentIds: c.studentIds })),
        students: [...store.students.values()].map(studentView),
        assignments: [...store.assignments.values()].map((a) => assignmentView(store, a)),
        testActivities: [...store.activities.values()].map(testActivityView),
      },
    });
  });

  return router;
}
