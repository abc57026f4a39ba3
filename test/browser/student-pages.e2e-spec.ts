import type { Browser, Page } from 'puppeteer-core';
import request from 'supertest';
import { DEFAULT_EDULASTIC_TESTS, DEFAULT_MASTERY_TRACK_TESTS } from '@external-tests/sandbox';
import { launchBrowser } from '../helpers/browser';
import { createLesson, createStudent } from '../helpers/fixtures';
import { createTrackedSubject, enrollmentsOf } from '../helpers/lesson-setup';
import { resultRow } from '../helpers/rows';
import { createTestApp, TestApp } from '../helpers/test-app';

const PP = '/powerpath';
const eduTest = DEFAULT_EDULASTIC_TESTS[0];
const mtTest = DEFAULT_MASTERY_TRACK_TESTS[0];

/**
 * Issue 11: the testUrl the service returns opens the tool's student page in a real browser; the student signs in
 * as the tool requires, answers and submits, and the result comes back through the real paths (MasteryTrack's
 * write-back, the Edulastic import).
 */
describe('student pages in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let token: string;
  const auth = (r: request.Test) => r.set('Authorization', `Bearer ${token}`);
  const assign = (body: object) =>
    auth(t.http().post(`${PP}/makeExternalTestAssignment`))
      .send(body)
      .expect(200);

  beforeAll(async () => {
    [t, browser] = await Promise.all([createTestApp(), launchBrowser()]);
    token = await t.token();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  beforeEach(async () => (page = await browser.newPage()));
  afterEach(() => page.close());

  /**
   * Answers every question from its prompt ("a + b = ?"); `wrong` question numbers get a wrong choice instead, and
   * `skipped` ones none.
   */
  async function answer(wrong: number[] = [], skipped: number[] = []): Promise<number> {
    const fieldsets = await page.$$('fieldset');
    for (const [i, fieldset] of fieldsets.entries()) {
      if (skipped.includes(i)) continue;
      const prompt = await fieldset.$eval('legend', (l) => l.textContent ?? '');
      const [, a, b] = /(\d+) \+ (\d+) = \?/.exec(prompt) ?? [];
      const right = Number(a) + Number(b);
      const choices = await fieldset.$$eval('input[type=radio]', (inputs) => inputs.map((input) => input.value));
      const pick = wrong.includes(i) ? choices.find((c) => Number(c) !== right) : String(right);
      await fieldset.$eval(`input[value="${pick}"]`, (input) => input.click());
    }
    return fieldsets.length;
  }

  async function submitForm(): Promise<number> {
    const [response] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    return response?.status() ?? 0;
  }

  const text = () => page.$eval('body', (b) => b.innerText);

  it('MasteryTrack: sign in by email, answer, submit → the write-back finalizes the attempt and enrols', async () => {
    const student = await createStudent(t.orm);
    const tracked = await createTrackedSubject(t.orm);
    const lesson = await createLesson(t.orm, {
      toolProvider: 'mastery-track',
      lessonType: 'test-out',
      grades: ['4'],
      resourceMetadata: { subject: tracked.subject },
    });
    const assigned = await assign({ student: student.sourcedId, lesson: lesson.sourcedId, testId: mtTest.timeback_id });
    expect(assigned.body.testUrl).toBe(`${t.sandboxes.masteryTrack.url}/assignment/${assigned.body.assignmentId}`);

    expect((await page.goto(assigned.body.testUrl))?.status()).toBe(200);
    await page.type('input[name=email]', student.email.toUpperCase());
    expect(await submitForm()).toBe(200);
    expect(await answer([0])).toBe(20);
    expect(await submitForm()).toBe(200);
    expect(await text()).toContain('Submitted: 19 of 20 correct (95%)');
    expect(await text()).toContain('Your result was sent to your school');

    const row = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
    expect(row).toMatchObject({ score: 95, score_status: 'fully graded' });
    expect(row.finalized_at).not.toBeNull();
    expect(row.metadata).toMatchObject({ masteryTrackProcessed: true, totalQuestions: 20, correctQuestions: 19 });
    expect(await enrollmentsOf(t.orm, student.sourcedId)).toEqual([
      { class_sourced_id: tracked.grade5Class, course_sourced_id: tracked.courses['5'] },
    ]);

    // The link is spent: opening it again and signing in says so.
    await page.goto(assigned.body.testUrl);
    await page.type('input[name=email]', student.email);
    expect(await submitForm()).toBe(409);
    expect(await text()).toContain('This test was submitted already');
  });

  it('MasteryTrack: another email is refused without saying whose test it is', async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm, { toolProvider: 'mastery-track', grades: ['3'] });
    const assigned = await assign({ student: student.sourcedId, lesson: lesson.sourcedId, testId: mtTest.timeback_id });

    await page.goto(assigned.body.testUrl);
    await page.type('input[name=email]', 'someone.else@example.org');
    expect(await submitForm()).toBe(401);
    const shown = await text();
    expect(shown).toContain('This test is not assigned to that email');
    expect(shown).not.toContain(student.email);
    expect(await page.$('fieldset')).toBeNull();
  });

  it('Edulastic: sign in with the returned credentials, answer, submit → the import finalizes and enrols', async () => {
    const student = await createStudent(t.orm);
    const tracked = await createTrackedSubject(t.orm);
    const lesson = await createLesson(t.orm, {
      toolProvider: 'edulastic',
      lessonType: 'test-out',
      vendorId: eduTest.id,
      grades: ['4'],
      resourceMetadata: { subject: tracked.subject },
    });
    const assigned = await assign({ student: student.sourcedId, lesson: lesson.sourcedId });
    expect(assigned.body.testUrl).toBe(`${t.sandboxes.edulastic.url}/assignments/embed/${eduTest.id}`);
    const { email, password } = assigned.body.credentials as { email: string; password: string };

    expect((await page.goto(assigned.body.testUrl))?.status()).toBe(200);
    expect(await text()).toContain(eduTest.title);
    await page.type('input[name=email]', email);
    await page.type('input[name=password]', password);
    expect(await submitForm()).toBe(200);
    expect(await answer()).toBe(eduTest.questionCount);
    expect(await submitForm()).toBe(200);
    expect(await text()).toContain(`you answered ${eduTest.questionCount} of ${eduTest.questionCount} questions`);

    const imported = await auth(t.http().get(`${PP}/importExternalTestAssignmentResults`))
      .query({ student: student.sourcedId, lesson: lesson.sourcedId })
      .expect(200);
    expect(imported.body).toMatchObject({ finalized: true, assignmentId: assigned.body.assignmentId });
    const row = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
    expect(row).toMatchObject({ score: 100, score_status: 'fully graded' });
    expect(row.finalized_at).not.toBeNull();
    expect(await enrollmentsOf(t.orm, student.sourcedId)).toEqual([
      { class_sourced_id: tracked.grade5Class, course_sourced_id: tracked.courses['5'] },
    ]);
  });

  it('Edulastic: a wrong password is refused on the page and nothing is submitted', async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: eduTest.id });
    const assigned = await assign({ student: student.sourcedId, lesson: lesson.sourcedId });

    await page.goto(assigned.body.testUrl);
    await page.type('input[name=email]', assigned.body.credentials.email);
    await page.type('input[name=password]', `${assigned.body.credentials.password}x`);
    expect(await submitForm()).toBe(401);
    expect(await text()).toContain('Invalid username or password');
    expect(await page.$('fieldset')).toBeNull();

    const imported = await auth(t.http().get(`${PP}/importExternalTestAssignmentResults`))
      .query({ student: student.sourcedId, lesson: lesson.sourcedId })
      .expect(200);
    expect(imported.body.finalized).toBe(false);
  });

  it('Edulastic: a question skipped closes the attempt; the retake opens at the same link and finalizes', async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: eduTest.id });
    const ids = { student: student.sourcedId, lesson: lesson.sourcedId };
    const importResults = () =>
      auth(t.http().get(`${PP}/importExternalTestAssignmentResults`))
        .query(ids)
        .expect(200);
    /** Opens the link, signs in with the attempt's credentials, answers (skipping `skipped`) and submits. */
    async function sit(
      assigned: { testUrl: string; credentials: { email: string; password: string } },
      skipped: number[],
    ) {
      expect((await page.goto(assigned.testUrl))?.status()).toBe(200);
      await page.type('input[name=email]', assigned.credentials.email);
      await page.type('input[name=password]', assigned.credentials.password);
      expect(await submitForm()).toBe(200);
      expect(await answer([], skipped)).toBe(eduTest.questionCount);
      expect(await submitForm()).toBe(200);
      const answered = eduTest.questionCount - skipped.length;
      expect(await text()).toContain(`you answered ${answered} of ${eduTest.questionCount} questions`);
    }

    const first = (await assign(ids)).body;
    await sit(first, [0]);
    // Graded with a question unanswered: never final, but over (Edulastic takes one submission per assignment).
    expect((await importResults()).body).toMatchObject({ attempt: 1, finalized: false, closed: true });

    const created = await auth(t.http().post(`${PP}/createNewAttempt`))
      .send(ids)
      .expect(200);
    expect(created.body.attempt).toMatchObject({ attempt: 2, scoreStatus: 'not submitted' });
    const second = (await assign(ids)).body;
    expect(second).toMatchObject({ attempt: 2, testUrl: first.testUrl });
    expect(second.assignmentId).not.toBe(first.assignmentId);
    expect(second.credentials).toEqual(first.credentials);
    // The same link and login: the page opens the student's open assignment, the retake's.
    await sit(second, []);
    expect((await importResults()).body).toMatchObject({
      attempt: 2,
      finalized: true,
      assignmentId: second.assignmentId,
    });
    const attempts = await auth(t.http().get(`${PP}/getAttempts`))
      .query(ids)
      .expect(200);
    expect(attempts.body.attempts).toEqual([
      expect.objectContaining({ attempt: 1, scoreStatus: 'partially graded' }),
      expect.objectContaining({ attempt: 2, scoreStatus: 'fully graded', score: 100 }),
    ]);
  });
});
