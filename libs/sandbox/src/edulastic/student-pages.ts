import { Router, type Response } from 'express';
import { bodyOf } from '../body';
import { formBody, html, sendPage, type SafeHtml } from '../pages/html';
import { markAnswers, questionFields, questionsFor } from '../pages/questions';
import { authenticate } from './auth';
import type { EdulasticSandboxTest } from './options';
import type { EdulasticStore } from './store';
import { openAssignmentOf, recordSubmission } from './submission';

const TOOL = 'Edulastic';

/**
 * The student's side at `<app>/assignments/embed/<testId>` (the testUrl our provider hands out): sign in with the
 * credentials the assignment returned, answer, submit. Submitting records the test activity exactly as the control
 * API's `submit` does, so the service's import reads it.
 */
export function edulasticStudentPages(store: EdulasticStore): Router {
  const router = Router();

  router.get('/assignments/embed/:testId', (req, res) => {
    const test = store.test(req.params.testId);
    if (!test) return notFound(res);
    sendPage(res, 200, TOOL, test.title, signInForm(test));
  });

  router.post('/assignments/embed/:testId', formBody, (req, res) => {
    const test = store.test(req.params.testId);
    if (!test) return notFound(res);
    const { email, password } = bodyOf(req);
    const user =
      typeof email === 'string' && typeof password === 'string' ? authenticate(store, email, password) : undefined;
    if (user?.role !== 'student') {
      return sendPage(res, 401, TOOL, test.title, signInForm(test, 'Invalid username or password.'));
    }
    const assignment = openAssignmentOf(store, test.id, user);
    if (!assignment) return nothingOpen(res, test);
    const session = store.startSession(user);
    sendPage(
      res,
      200,
      TOOL,
      test.title,
      html`<p>Signed in as ${user.email}. Answer the questions, then submit.</p>
        <form method="post" action="/assignments/embed/${test.id}/submit">
          <input type="hidden" name="session" value="${session}" />
          <input type="hidden" name="assignmentId" value="${assignment._id}" />
          ${questionFields(questionsFor(test.id, test.questionCount))}
          <button type="submit">Submit test</button>
        </form>`,
    );
  });

  router.post('/assignments/embed/:testId/submit', formBody, (req, res) => {
    const test = store.test(req.params.testId);
    if (!test) return notFound(res);
    const form = bodyOf(req);
    const user = typeof form.session === 'string' ? store.userByToken(form.session) : undefined;
    if (user?.role !== 'student') {
      return sendPage(res, 401, TOOL, test.title, signInForm(test, 'Your session has ended. Sign in again.'));
    }
    const assignment = typeof form.assignmentId === 'string' ? store.assignments.get(form.assignmentId) : undefined;
    if (!assignment || assignment.testId !== test.id || store.activity(assignment._id, user._id)) {
      return nothingOpen(res, test);
    }
    const marks = markAnswers(questionsFor(test.id, test.questionCount), form);
    const answers = marks.map((m) => (m === null ? null : { score: m ? 1 : 0, maxScore: 1 }));
    const outcome = recordSubmission(store, assignment, user, answers, 'GRADED');
    if ('status' in outcome) return nothingOpen(res, test);
    store.endSession(form.session as string);
    const answered = marks.filter((m) => m !== null).length;
    sendPage(
      res,
      200,
      TOOL,
      test.title,
      html`<p class="done">Submitted: you answered ${answered} of ${test.questionCount} questions.</p>
        <p>Your teacher will see the result. You may close this page.</p>`,
    );
  });

  return router;
}

function signInForm(test: EdulasticSandboxTest, error?: string): SafeHtml {
  return html`${error ? html`<p class="error" role="alert">${error}</p>` : ''}
    <p>Sign in with the email and password you were given for this test.</p>
    <form method="post" action="/assignments/embed/${test.id}">
      <label>Email <input type="email" name="email" autocomplete="username" required /></label>
      <label>Password <input type="password" name="password" autocomplete="current-password" required /></label>
      <button type="submit">Sign in</button>
    </form>`;
}

function notFound(res: Response): void {
  sendPage(res, 404, TOOL, 'Test not found', html`<p>There is no test at this address.</p>`);
}

function nothingOpen(res: Response, test: EdulasticSandboxTest): void {
  sendPage(
    res,
    409,
    TOOL,
    test.title,
    html`<p class="error" role="alert">
      You have no open assignment of this test: it was submitted already, or it was never assigned to you.
    </p>`,
  );
}
