import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { edulasticSandboxEnv, masteryTrackSandboxEnv } from '../../src/cli/sandbox-env';
import { createLesson, createStudent } from '../helpers/fixtures';
import { countRows, ledgerRows } from '../helpers/rows';
import { embeddedDatabaseEnv, workerDatabaseUrl } from '../helpers/test-database';
import { createTestApp, EDU_PASSWORD, EDU_USER, MT_API_KEY, MT_EMAIL, TestApp } from '../helpers/test-app';
import { toolState } from '../helpers/tool-state';

/** Issue 9 case 7: the README's npm scripts run as written (ts-node from a fresh clone), not the compiled files. */
const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const npm = (args: string[], env: Record<string, string>) =>
  run('npm', ['run', '--silent', ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 90_000 });

describe('npm scripts', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp()));
  afterAll(() => t.close());

  it('npm run seed -- fixtures/demo.json loads the demo data', async () => {
    const { stdout } = await npm(['seed', '--', 'fixtures/demo.json'], { DATABASE_URL: workerDatabaseUrl() });
    expect(stdout).toMatch(/Loaded fixtures\/demo\.json: .*users/);
    expect(await countRows(t.orm, "users where sourced_id in ('student-mt-1', 'student-edu-1')", [])).toBe(2);
  }, 90_000);

  it('npm run reconcile resumes an attempt whose request died after the tool made the assignment', async () => {
    const token = await t.token();
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm);
    const first = await t
      .http()
      .post('/powerpath/makeExternalTestAssignment')
      .set('Authorization', `Bearer ${token}`)
      .send({ student: student.sourcedId, lesson: lesson.sourcedId })
      .expect(200);
    // The ledger as a request leaves it when it dies between the tool's answer and recording it.
    await t.orm.em
      .fork()
      .getConnection()
      .execute(
        `update tool_assignments set state = 'pending', called = true, external_id = null, lease_token = null, lease_until = now() - interval '1 second'
       where student_sourced_id = ?`,
        [student.sourcedId],
      );
    const { stdout } = await npm(['reconcile'], {
      DATABASE_URL: workerDatabaseUrl(),
      ...embeddedDatabaseEnv(),
      AUTH_DEV_ISSUER: 'true',
      LOG_LEVEL: 'silent',
      ...masteryTrackSandboxEnv(t.sandboxes.masteryTrack.url, { apiKey: MT_API_KEY, email: MT_EMAIL }),
      ...edulasticSandboxEnv(t.sandboxes.edulastic.url, { username: EDU_USER, password: EDU_PASSWORD }),
    });
    expect(stdout).toMatch(/Reconciled: [1-9]\d* completed/);
    expect(await ledgerRows(t.orm, student.sourcedId)).toEqual([
      expect.objectContaining({ state: 'assigned', external_id: first.body.assignmentId }),
    ]);
    expect(await toolState(t.sandboxes).mtAssignments(student.email)).toHaveLength(1);
  }, 90_000);
});
