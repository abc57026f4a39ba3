import { Client } from 'pg';
import { createLesson, createStudent } from '../helpers/fixtures';
import { answerOf, BUSY_ANSWER } from '../helpers/busy-answer';
import { createTestApp, TestApp } from '../helpers/test-app';
import { onEmbeddedDatabase, workerDatabaseUrl } from '../helpers/test-database';
import { toolState } from '../helpers/tool-state';
import { waitFor } from '../helpers/wait-for';

const ROUTE = '/powerpath/makeExternalTestAssignment';
/** MigrationRunner's advisory lock (migration-runner.ts). */
const MIGRATION_LOCK = 0x45_54_41_01;

// The embedded database has one session: nothing ever waits for another transaction there.
const describeOnPostgres = onEmbeddedDatabase() ? describe.skip : describe;

/**
 * A transaction stuck after writing a new lesson's line item, while a caller asks for that lesson: the claim, which
 * records one, waits for its outcome. Asserts what the caller hears (503 BUSY, within `withinMs`, at least `boundMs`
 * after it asked), that nothing was written and the tool not called, and that the retry assigns once.
 */
async function busyWhileLineItemHeld(
  t: TestApp,
  token: string,
  boundMs: number,
  withinMs: number,
  retryAfter: string,
): Promise<void> {
  const student = await createStudent(t.orm);
  const lesson = await createLesson(t.orm);
  const assign = () =>
    t
      .http()
      .post(ROUTE)
      .set('Authorization', `Bearer ${token}`)
      .timeout(10_000)
      .send({ student: student.sourcedId, lesson: lesson.sourcedId });
  const knex = t.orm.em.fork().getConnection().getKnex();
  const other = await knex.transaction();
  let stuck: Awaited<ReturnType<typeof assign>>;
  let waitedMs: number;
  try {
    await other.raw('insert into lesson_line_items (lesson_sourced_id, line_item_sourced_id) values (?, ?)', [
      lesson.sourcedId,
      `li-${lesson.sourcedId}`,
    ]);
    const startedAt = Date.now();
    stuck = await assign();
    waitedMs = Date.now() - startedAt;
  } finally {
    await other.rollback();
  }
  expect(answerOf(stuck)).toEqual({ ...BUSY_ANSWER, retryAfter });
  expect(waitedMs).toBeGreaterThanOrEqual(boundMs);
  expect(waitedMs).toBeLessThan(withinMs);
  const rows = await knex.raw<{ rows: { ledger: number; results: number }[] }>(
    `select (select count(*)::int from tool_assignments where student_sourced_id = ?) ledger,
            (select count(*)::int from assessment_results where student_sourced_id = ?) results`,
    [student.sourcedId, student.sourcedId],
  );
  expect(rows.rows).toEqual([{ ledger: 0, results: 0 }]);
  expect(await toolState(t.sandboxes).mtAssignments(student.email)).toEqual([]);

  const retried = await assign().expect(200);
  const atTool = await toolState(t.sandboxes).mtAssignments(student.email);
  expect(atTool.map((a) => String(a.id))).toEqual([retried.body.assignmentId]);
}

describeOnPostgres('DATABASE_STATEMENT_TIMEOUT_MS: a statement that runs too long', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    // No lock timeout: the statement waiting for the row is ended by the statement timeout alone.
    t = await createTestApp({ DATABASE_LOCK_TIMEOUT_MS: '0', DATABASE_STATEMENT_TIMEOUT_MS: '300' });
    token = await t.token();
  });
  afterAll(() => t.close());

  it('is cancelled after the configured time: 503 BUSY, nothing written, no tool call, and the retry assigns once', async () => {
    const [shown] = await t.orm.em
      .fork()
      .getConnection()
      .execute<
        { statement_timeout: string; lock_timeout: string }[]
      >("select current_setting('statement_timeout') statement_timeout, current_setting('lock_timeout') lock_timeout");
    // The lock timeout off (not even the role's), so only the statement timeout can end the wait.
    expect(shown).toEqual({ statement_timeout: '300ms', lock_timeout: '0' });
    // The configured 300 ms, not the 10 s default, nor waiting until the holder let go.
    // Cancelled statements ask the client to wait longer than other refusals (imsx-exception.filter.ts).
    await busyWhileLineItemHeld(t, token, 300, 5_000, '5');
  }, 30_000);
});

describeOnPostgres('DATABASE_LOCK_TIMEOUT_MS: a lock held elsewhere', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await createTestApp({ DATABASE_LOCK_TIMEOUT_MS: '300' });
    token = await t.token();
  });
  afterAll(() => t.close());

  it('a row held elsewhere past the lock timeout: 503 BUSY, nothing written, no tool call, and the retry assigns once', async () => {
    // The configured 300 ms, not the 5 s default, nor waiting until the holder let go.
    await busyWhileLineItemHeld(t, token, 300, 5_000, BUSY_ANSWER.retryAfter);
  }, 30_000);

  it("waits out another instance's migration run however long it takes", async () => {
    const holder = new Client({ connectionString: workerDatabaseUrl() });
    await holder.connect();
    try {
      await holder.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
      let settled: 'started' | 'failed' | undefined;
      const second = createTestApp({ DATABASE_LOCK_TIMEOUT_MS: '100', DATABASE_STATEMENT_TIMEOUT_MS: '1000' }).then(
        (app) => ((settled = 'started'), app),
        (e: Error) => {
          settled = 'failed';
          throw e;
        },
      );
      // Once the second instance waits for the lock, and well past its lock and statement timeouts, it is still
      // waiting for the run to end, not failed.
      await waitFor(async () => {
        const { rows } = await holder.query<{ n: number }>(
          "select count(*)::int n from pg_stat_activity where datname = current_database() and wait_event = 'advisory'",
        );
        return rows[0].n > 0 || undefined;
      });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const whileHeld = settled;
      await holder.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      const app = await second;
      try {
        expect(whileHeld).toBeUndefined();
        // The wait's own settings were put back, and new connections get the configured ones: two statements at once
        // run on two connections, the migration's and another.
        const knex = app.orm.em.fork().getConnection().getKnex();
        const show = () =>
          knex.raw<{ rows: { lock_timeout: string; statement_timeout: string; pid: number }[] }>(
            `select current_setting('lock_timeout') lock_timeout, current_setting('statement_timeout') statement_timeout,
                    pg_backend_pid() pid from pg_sleep(0.2)`,
          );
        const shown = (await Promise.all([show(), show()])).map((r) => r.rows[0]);
        expect(new Set(shown.map((r) => r.pid)).size).toBe(2);
        expect(shown.map((r) => [r.lock_timeout, r.statement_timeout])).toEqual([
          ['100ms', '1s'],
          ['100ms', '1s'],
        ]);
      } finally {
        await app.close();
      }
    } finally {
      await holder.end();
    }
  }, 30_000);
});
