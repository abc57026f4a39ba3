import { Router, type Response } from 'express';
import { bodyOf, toInteger } from '../body';
import { formBody, html, sendPage, type SafeHtml } from '../pages/html';
import { markAnswers, questionFields, questionsFor } from '../pages/questions';
import { completeAssignment, questionCountOf, writesBack } from './completion';
import type { MasteryTrackContext } from './context';
import { equalsIgnoreCase, isActive, type MasteryTrackAssignment } from './store';
import { studentSourcedIdOf } from './student-identity';

const TOOL = 'MasteryTrack';

/**
 * The student's side at `test_url` (`<host>/assignment/<id>`): sign in with the email the test was assigned to,
 * answer, submit. Submitting completes the assignment and writes the result back exactly as the control API's
 * `complete` does.
 */
export function masteryTrackStudentPages(ctx: MasteryTrackContext): Router {
  const router = Router();

  const find = (id: string): MasteryTrackAssignment | undefined => {
    const n = toInteger(id);
    return n === undefined ? undefined : ctx.store.get(n);
  };

  router.get('/assignment/:id', (req, res) => {
    const assignment = find(req.params.id);
    if (!assignment) return notFound(res);
    sendPage(res, 200, TOOL, assignment.test.name, signInForm(assignment));
  });

  router.post('/assignment/:id', formBody, (req, res) => {
    const assignment = find(req.params.id);
    if (!assignment) return notFound(res);
    const { email } = bodyOf(req);
    if (!signedInAs(assignment, email)) return wrongStudent(res, assignment);
    if (!isActive(assignment)) return notActive(res, assignment);
    sendPage(
      res,
      200,
      TOOL,
      assignment.test.name,
      html`<p>Signed in as ${assignment.studentEmail}. Answer the questions, then submit.</p>
        <form method="post" action="/assignment/${assignment.id}/submit">
          <input type="hidden" name="email" value="${assignment.studentEmail}" />
          ${questionFields(questionsFor(assignment.test.timeback_id, questionCountOf(assignment.test)))}
          <button type="submit">Submit test</button>
        </form>`,
    );
  });

  router.post('/assignment/:id/submit', formBody, async (req, res) => {
    const assignment = find(req.params.id);
    if (!assignment) return notFound(res);
    const form = bodyOf(req);
    if (!signedInAs(assignment, form.email)) return wrongStudent(res, assignment);
    if (!isActive(assignment)) return notActive(res, assignment);
    const marks = markAnswers(questionsFor(assignment.test.timeback_id, questionCountOf(assignment.test)), form);
    const total = marks.length;
    const correct = marks.filter((m) => m === true).length;
    const score = Math.round((correct / total) * 10_000) / 100;

    let studentSourcedId: string | undefined;
    if (writesBack(ctx, assignment)) {
      studentSourcedId = await studentSourcedIdOf(ctx.options.writeBack!, assignment.resultSourcedId);
      if (studentSourcedId === undefined) {
        return sendPage(
          res,
          502,
          TOOL,
          assignment.test.name,
          html`<p class="error" role="alert">
            Your school's platform could not be reached to record the result. Nothing was submitted; try again in a
            moment.
          </p>`,
        );
      }
      // Another submit may have finished while we asked the platform.
      if (!isActive(assignment)) return notActive(res, assignment);
    }
    const writeBack = await completeAssignment(
      ctx,
      assignment,
      { score, totalQuestions: total, correctQuestions: correct },
      studentSourcedId,
    );
    const delivered = writeBack === null || (writeBack.status >= 200 && writeBack.status < 300);
    sendPage(
      res,
      200,
      TOOL,
      assignment.test.name,
      html`<p class="done">Submitted: ${correct} of ${total} correct (${score}%).</p>
        ${delivered
          ? html`<p>Your result was sent to your school. You may close this page.</p>`
          : html`<p class="error" role="alert">
              Your result could not be sent to your school (status ${writeBack.status}); the sandbox control API can
              redeliver it.
            </p>`}`,
    );
  });

  return router;
}

const signedInAs = (assignment: MasteryTrackAssignment, email: unknown): boolean =>
  typeof email === 'string' && equalsIgnoreCase(email.trim(), assignment.studentEmail);

function signInForm(assignment: MasteryTrackAssignment, error?: string): SafeHtml {
  return html`${error ? html`<p class="error" role="alert">${error}</p>` : ''}
    <p>Sign in with your school email to take this test.</p>
    <form method="post" action="/assignment/${assignment.id}">
      <label>Email <input type="email" name="email" autocomplete="username" required /></label>
      <button type="submit">Sign in</button>
    </form>`;
}

/** Same words whoever the email belongs to: the page never tells whose assignment this is. */
function wrongStudent(res: Response, assignment: MasteryTrackAssignment): void {
  sendPage(
    res,
    401,
    TOOL,
    assignment.test.name,
    signInForm(assignment, 'This test is not assigned to that email. Sign in with the email your school uses.'),
  );
}

function notActive(res: Response, assignment: MasteryTrackAssignment): void {
  const status = assignment.status === 'COMPLETED' ? 'submitted already' : 'no longer open';
  sendPage(res, 409, TOOL, assignment.test.name, html`<p class="error" role="alert">This test was ${status}.</p>`);
}

function notFound(res: Response): void {
  sendPage(res, 404, TOOL, 'Assignment not found', html`<p>There is no assignment at this address.</p>`);
}
