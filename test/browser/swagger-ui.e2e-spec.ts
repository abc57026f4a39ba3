import type { Browser, Page } from 'puppeteer-core';
import { launchBrowser } from '../helpers/browser';
import { createDemoApp } from '../helpers/demo-app';
import { TestApp } from '../helpers/test-app';

/**
 * The first hour of a reader, in Chromium: open /docs, Authorize through the OAuth2 client-credentials form, then
 * Execute PowerPath and OneRoster operations with their examples against the demo data and the sandboxes.
 */
const BROWSER_STEP_MS = 60_000;

describe('Swagger UI in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [t, browser] = await Promise.all([createDemoApp('swagger_ui'), launchBrowser()]);
    page = await browser.newPage();
    // Generous for a loaded CI machine; each wait ends as soon as its selector shows.
    page.setDefaultTimeout(30_000);
    await page.goto(`${t.baseUrl}/docs`);
  }, BROWSER_STEP_MS);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  }, BROWSER_STEP_MS);

  it(
    'lists OAuth2 first in Authorize and authorizes with client credentials',
    async () => {
      await page.locator('.auth-wrapper .btn.authorize').click();
      await page.waitForSelector('.modal-ux .auth-container');
      const schemes = await page.$$eval('.modal-ux .auth-container h4', (hs) => hs.map((h) => h.textContent ?? ''));
      expect(schemes[0]).toMatch(/^oauth2/);
      expect(schemes[1]).toMatch(/^bearer/);
      // The dialog opens on the form a reader fills in first: the secret has the focus (not bearer's field, below),
      // and OAuth2's heading is in view.
      await page.waitForFunction(() => document.activeElement?.id.startsWith('client_secret'));
      expect(await oauth2HeadingInView(page)).toBe(true);
      expect(await page.$eval('.modal-ux .modal-ux-content', (c) => c.scrollTop)).toBe(0);

      // The client id is pre-filled (initOAuth); the reader types the secret.
      expect(await page.$eval('.modal-ux input[id^="client_id"]', (i) => i.value)).toBe('demo-client');
      await page.type('.modal-ux input[id^="client_secret"]', 'demo-secret');
      await page.locator('.modal-ux .auth-container:first-of-type .btn.modal-btn.auth.authorize').click();
      await page.waitForFunction(
        () => document.querySelector('.modal-ux .auth-container')?.textContent?.includes('Logout') ?? false,
      );
      expect(await page.$$eval('.modal-ux .auth-container:first-of-type .errors', (e) => e.length)).toBe(0);
      await page.locator('.modal-ux .btn-done').click();
      await page.waitForSelector('.modal-ux', { hidden: true });

      // Opened again once authorized (OAuth2 has no field left to fill): at its top, the bearer field not focused.
      await page.locator('.auth-wrapper .btn.authorize').click();
      await page.waitForSelector('.modal-ux .auth-container');
      expect(await page.evaluate(() => document.activeElement?.id)).not.toBe('auth-bearer-value');
      expect(await oauth2HeadingInView(page)).toBe(true);
      expect(await page.$eval('.modal-ux .modal-ux-content', (c) => c.scrollTop)).toBe(0);
      await page.locator('.modal-ux .btn-done').click();
      await page.waitForSelector('.modal-ux', { hidden: true });
    },
    BROWSER_STEP_MS,
  );

  it(
    'Execute makeExternalTestAssignment with the MasteryTrack example: 200 and the assignment in the page',
    async () => {
      const body = await execute(page, 'makeExternalTestAssignment', { example: 'masteryTrack', expect: 200 });
      expect(JSON.parse(body)).toMatchObject({ toolProvider: 'mastery-track', attempt: 1 });
    },
    BROWSER_STEP_MS,
  );

  it(
    'Execute makeExternalTestAssignment with the Edulastic example: 200 and the credentials in the page',
    async () => {
      const body = await execute(page, 'makeExternalTestAssignment', { example: 'edulastic', expect: 200 });
      expect(JSON.parse(body)).toMatchObject({
        toolProvider: 'edulastic',
        lessonType: 'unit-test',
        credentials: { email: 'eddie.lastic@demo.example.org' },
      });
    },
    BROWSER_STEP_MS,
  );

  it(
    'Execute getAllUsers with its pre-filled parameters: 200 and every demo user in the page (search is not pre-filled)',
    async () => {
      const body = await execute(page, 'getAllUsers', { expect: 200 });
      const { users } = JSON.parse(body) as { users: { sourcedId: string }[] };
      expect(users.map((u) => u.sourcedId).sort()).toEqual(['student-edu-1', 'student-mt-1', 'teacher-1']);
    },
    BROWSER_STEP_MS,
  );

  it(
    "Execute getAllEnrollments: every enrollment, then a search typed in (its description's word, a user's id)",
    async () => {
      const listed = async () =>
        (
          JSON.parse(await execute(page, 'getAllEnrollments', { expect: 200 })) as {
            enrollments: { sourcedId: string }[];
          }
        ).enrollments.map((e) => e.sourcedId);
      const block = '.opblock[id$="-getAllEnrollments"]';
      const search = `${block} tr[data-param-name="search"]`;
      const requestUrl = () => page.$eval(`${block} .request-url pre`, (e) => e.textContent ?? '');
      expect(await listed()).toEqual(['enrollment-teacher-1-math-4-a']);
      expect(await requestUrl()).not.toContain('search=');

      const hint = await page.$eval(`${search} .parameters-col_description`, (d) => d.textContent ?? '');
      expect(/e\.g\. (\S+)\)/.exec(hint)?.[1]).toBe('teacher-1');
      await page.locator(`${search} input`).fill('teacher-1');
      expect(await listed()).toEqual(['enrollment-teacher-1-math-4-a']);
      expect(await requestUrl()).toContain('search=teacher-1');
      await page.locator(`${search} input`).fill('student-mt-1');
      expect(await listed()).toEqual([]);
    },
    BROWSER_STEP_MS,
  );

  it(
    'after logging out of oauth2, Execute is 401; a token pasted into bearer works again',
    async () => {
      await page.locator('.auth-wrapper .btn.authorize').click();
      await page.locator('.modal-ux .auth-container:first-of-type button[aria-label="Remove authorization"]').click();
      await page.locator('.modal-ux .btn-done').click();
      await execute(page, 'getAllOrgs', { expect: 401 });

      await page.locator('.auth-wrapper .btn.authorize').click();
      // Pasted, as a reader would (typing a JWT key by key takes seconds).
      await page.locator('.modal-ux #auth-bearer-value').click();
      await page.keyboard.sendCharacter(await t.token());
      await page.locator('.modal-ux .auth-container:nth-of-type(2) .btn.modal-btn.auth.authorize').click();
      await page.locator('.modal-ux .btn-done').click();
      const body = await execute(page, 'getAllOrgs', { expect: 200 });
      expect(JSON.parse(body)).toMatchObject({ orgs: [{ sourcedId: 'org-demo' }] });
    },
    BROWSER_STEP_MS,
  );
});

/** Whether the Authorize dialog shows its first scheme's (OAuth2's) heading, i.e. is not scrolled past it. */
function oauth2HeadingInView(page: Page): Promise<boolean> {
  return page.$eval('.modal-ux .auth-container h4', (h) => {
    const box = h.getBoundingClientRect();
    const dialog = h.closest('.modal-ux-content')!.getBoundingClientRect();
    return h.textContent.startsWith('oauth2') && box.top >= dialog.top && box.bottom <= dialog.bottom;
  });
}

/**
 * Opens the operation (unless open), presses Try it out (unless pressed), picks the request body example (when
 * given), clears an earlier response, presses Execute and answers the response body the page shows, once the
 * status is the expected one.
 */
async function execute(page: Page, operationId: string, o: { example?: string; expect: number }): Promise<string> {
  const block = `.opblock[id$="-${operationId}"]`;
  if (!(await page.$(`${block}.is-open`))) await page.locator(`${block} .opblock-summary-control`).click();
  await page.waitForSelector(`${block} .try-out__btn`);
  if (!(await page.$(`${block} .try-out__btn.cancel`))) await page.locator(`${block} .try-out__btn`).click();
  if (o.example) {
    await page.select(`${block} .examples-select-element`, o.example);
    const chosen = await page.$eval(`${block} .examples-select-element`, (s) => (s as HTMLSelectElement).value);
    expect(chosen).toBe(o.example);
  }
  if (await page.$(`${block} .btn-clear`)) await page.locator(`${block} .btn-clear`).click();
  await page.waitForSelector(`${block} .live-responses-table`, { hidden: true });
  await page.locator(`${block} .execute-wrapper .btn.execute`).click();
  const status = await page.waitForSelector(`${block} .live-responses-table .response .response-col_status`);
  const code = (await status!.evaluate((e) => e.textContent ?? '')).trim();
  const shown = await page.$eval(
    `${block} .live-responses-table .response .response-col_description pre`,
    (e) => e.textContent ?? '',
  );
  expect([operationId, code, code === String(o.expect) ? '' : shown]).toEqual([operationId, String(o.expect), '']);
  return shown;
}
