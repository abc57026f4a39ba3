import { DEFAULT_EDULASTIC_TESTS } from '@external-tests/sandbox';
import { createLesson, createStudent } from '../helpers/fixtures';
import { countRows, ledgerRows } from '../helpers/rows';
import { sandboxControl } from '../helpers/sandbox-control';
import { createTestApp, TestApp } from '../helpers/test-app';
import { toolState } from '../helpers/tool-state';
import { waitFor } from '../helpers/wait-for';

/** Issue 9, case 5: the flow has a deadline shorter than its lease, so no retry takes it over while it works. */
const ROUTE = '/powerpath/makeExternalTestAssignment';
const LEASE_SECONDS = 5;
const EDU_TEST = DEFAULT_EDULASTIC_TESTS[0].id;

describe('a slow flow never outlives its lease', () => {
  let t: TestApp;
  let token: string;
  const assign = (student: string, lesson: string) =>
    t.http().post(ROUTE).set('Authorization', `Bearer ${token}`).send({ student, lesson });

  beforeAll(async () => {
    t = await createTestApp({
      ASSIGNMENT_LEASE_SECONDS: String(LEASE_SECONDS),
      VENDOR_TIMEOUT_MS: '3000',
      VENDOR_DEADLINE_MS: '3500',
    });
    token = await t.token();
  });
  afterAll(() => t.close());

  it('an Edulastic flow slower than the lease gives up before it (504); meanwhile 409; the retry finishes it once', async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: EDU_TEST });
    const edu = sandboxControl(t.sandboxes, 'edulastic');
    // Every tool call of this flow takes 1.5 s: five of them cannot fit in the 4 s the flow has (lease 5 s).
    for (const path of ['/api/group', '/api/enrollment/user', '/api/auth/login', '/api/assignments/v2/assign']) {
      await edu.fault({ method: 'POST', path, delayMs: 1500, times: 2 });
    }
    const started = Date.now();
    const slow = assign(student.sourcedId, lesson.sourcedId).then((r) => r);
    // Once the first request has claimed the attempt (a fixed wait would race a loaded host).
    await waitFor(
      async () => (await countRows(t.orm, 'tool_assignments where student_sourced_id = ?', [student.sourcedId])) > 0,
      'the attempt claimed',
    );
    expect((await assign(student.sourcedId, lesson.sourcedId)).status).toBe(409);
    const first = await slow;
    expect([504, 409]).toContain(first.status);
    expect(Date.now() - started).toBeLessThan(LEASE_SECONDS * 1000);
    await edu.clearFaults();
    const retried = await assign(student.sourcedId, lesson.sourcedId).expect(200);
    const held = await toolState(t.sandboxes).eduOf(student.email);
    expect({ users: held.users.length, classes: held.classes.length, assignments: held.assignments.length }).toEqual({
      users: 1,
      classes: 1,
      assignments: 1,
    });
    expect(await toolState(t.sandboxes).eduLoginWorks(retried.body.credentials)).toBe(true);
    expect((await ledgerRows(t.orm, student.sourcedId)).map((r) => r.state)).toEqual(['assigned']);
    expect(
      await countRows(t.orm, "tool_logins where student_sourced_id = ? and state = 'ready'", [student.sourcedId]),
    ).toBe(1);
  }, 30_000);
});
