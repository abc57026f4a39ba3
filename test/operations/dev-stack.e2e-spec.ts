import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDevStack, type DevStack } from '../../src/cli/dev-stack';
import { devStackWorkspace } from '../helpers/dev-stack-workspace';

/**
 * Issue 11, findings 4 and 5, on the stack `npm start` runs (in process; a database of its own on the test server,
 * since the embedded one needs ESM loading Jest lacks): the port opens ready, and a restart continues where the
 * last run stopped — the database and the sandboxes stay in step.
 */
describe('npm start: ready when the port opens, consistent across restarts', () => {
  const workspace = devStackWorkspace('devstack');
  let env: Record<string, string>;

  beforeAll(async () => {
    env = await workspace.env();
  });

  const base = () => `http://127.0.0.1:${env.PORT}`;

  async function token(): Promise<string> {
    const res = await fetch(`${base()}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('demo-client:demo-secret').toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  }

  async function api(path: string, o: { body?: object } = {}): Promise<{ status: number; body: any }> {
    const res = await fetch(`${base()}${path}`, {
      method: o.body ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${await token()}`, 'content-type': 'application/json' },
      body: o.body ? JSON.stringify(o.body) : undefined,
    });
    return { status: res.status, body: await res.json() };
  }

  const portOpen = (port: number) =>
    new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });

  /** The student page: posts a form and answers with the page. */
  async function post(url: string, form: URLSearchParams): Promise<{ status: number; page: string }> {
    const res = await fetch(url, { method: 'POST', body: form, redirect: 'manual' });
    return { status: res.status, page: await res.text() };
  }

  /** The question form of a page, every question answered right (the prompts are "a + b = ?"). */
  function answered(page: string): { action: string; form: URLSearchParams } {
    const form = new URLSearchParams();
    for (const [, name, value] of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
      form.set(name, value);
    }
    for (const [, n, a, b] of page.matchAll(/Question (\d+): (\d+) \+ (\d+) = \?/g)) {
      form.set(`q${Number(n) - 1}`, String(Number(a) + Number(b)));
    }
    return { action: /<form method="post" action="([^"]+)">\s*<input type="hidden"/.exec(page)![1], form };
  }

  it('the port opens only once migrations and demo data are in place', async () => {
    let stack: DevStack | undefined;
    // Ask for the demo student the moment the port accepts a connection, while the stack is still starting.
    const firstAnswer = (async () => {
      while (!(await portOpen(Number(env.PORT)))) await sleep(2);
      return (await api('/ims/oneroster/rostering/v1p2/users/student-mt-1')).status;
    })();
    try {
      stack = await startDevStack(env);
      expect(await firstAnswer).toBe(200);
      expect(stack.sandboxes?.masteryTrack.restored).toBe(false);
    } finally {
      await stack?.close();
    }
  });

  it('a restart continues: tests assigned before are taken on their pages after, and their results come back', async () => {
    const first = await startDevStack(env);
    let edu: any;
    let mt: any;
    try {
      edu = (
        await api('/powerpath/makeExternalTestAssignment', {
          body: { student: 'student-edu-1', lesson: 'lesson-edu-unit-test' },
        })
      ).body;
      mt = (
        await api('/powerpath/makeExternalTestAssignment', {
          body: { student: 'student-mt-1', lesson: 'lesson-mt-unit-test' },
        })
      ).body;
      expect(edu.testUrl).toContain('/assignments/embed/');
      expect(mt.testUrl).toContain('/assignment/');
    } finally {
      await first.close();
    }

    const second = await startDevStack(env);
    try {
      expect(second.sandboxes?.edulastic.restored).toBe(true);
      expect(second.sandboxes?.masteryTrack.restored).toBe(true);

      const signedIn = await post(edu.testUrl, new URLSearchParams(edu.credentials));
      expect(signedIn.status).toBe(200);
      const eduAnswers = answered(signedIn.page);
      const eduDone = await post(new URL(eduAnswers.action, edu.testUrl).href, eduAnswers.form);
      expect(eduDone.page).toContain('Submitted');
      const imported = await api(
        '/powerpath/importExternalTestAssignmentResults?student=student-edu-1&lesson=lesson-edu-unit-test',
      );
      expect(imported).toMatchObject({ status: 200, body: { finalized: true, assignmentId: edu.assignmentId } });

      const mtSignedIn = await post(mt.testUrl, new URLSearchParams({ email: 'maya.track@demo.example.org' }));
      expect(mtSignedIn.status).toBe(200);
      const mtAnswers = answered(mtSignedIn.page);
      const mtDone = await post(new URL(mtAnswers.action, mt.testUrl).href, mtAnswers.form);
      expect(mtDone.page).toContain('Your result was sent to your school');
      const progress = await api('/powerpath/getAssessmentProgress?student=student-mt-1&lesson=lesson-mt-unit-test');
      expect(progress.body).toMatchObject({ finalized: true, score: 100 });
    } finally {
      await second.close();
    }
  });

  it('while a stack runs, a reset or a second start refuses before touching anything', async () => {
    const running = await startDevStack(env);
    try {
      const state = readdirSync(env.SANDBOX_STATE_DIR);
      expect(state.length).toBeGreaterThan(0);
      // The reset would otherwise refuse for DATABASE_URL; without it, it would have deleted the running data.
      const { DATABASE_URL: _url, ...embedded } = env;
      await expect(
        startDevStack({ ...embedded, EMBEDDED_DB_DIR: join(workspace.dir(), 'pglite') }, { fresh: true }),
      ).rejects.toThrow(new RegExp(`port ${env.PORT}\\b.*already running.*nothing was deleted`));
      await expect(startDevStack(env)).rejects.toThrow(/already running/);
      expect(readdirSync(env.SANDBOX_STATE_DIR)).toEqual(state);
      expect((await api('/health/live')).status).toBe(200);
    } finally {
      await running.close();
    }
  });

  it('with DATABASE_URL set, a reset refuses rather than wiping the sandboxes alone', async () => {
    await expect(startDevStack(env, { fresh: true })).rejects.toThrow(/DATABASE_URL/);
  });
});
