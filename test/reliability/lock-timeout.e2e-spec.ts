import { Client } from 'pg';
import { createLesson, createStudent } from '../helpers/fixtures';
import { createTestApp, TestApp } from '../helpers/test-app';
import { onEmbeddedDatabase, workerDatabaseUrl } from '../helpers/test-database';
import { toolState } from '../helpers/tool-state';

const ROUTE = '/powerpath/makeExternalTestAssignment';
/** MigrationRunner's advisory lock (migration-runner.ts). */
const MIGRATION_LOCK = 0x45_54_41_01;

// The embedded database has one session: nothing ever waits for another transaction there.
const describeOnPostgres = onEmbeddedDatabase() ? describe.skip : describe;

describeOnPostgres('DATABASE_LOCK_TIMEOUT_MS: a lock held elsewhere', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await createTestApp({ DATABASE_LOCK_TIMEOUT_MS: '300' });
    token = await t.token();
  });
  afterAll(() => t.close());

  it('a row held elsewhere past the lock timeout: 503 BUSY, nothing written, no tool call, and the retry assigns once', async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm);
    const assign = () =>
      t
        .http()
        .post(ROUTE)
        .set('Authorization', `Bearer ${token}`)
        .send({ student: student.sourcedId, lesson: lesson.sourcedId });
    const knex = t.orm.em.fork().getConnection().getKnex();
    // A transaction stuck after writing the lesson's line item: the claim, which records one, waits for its outcome.
    const other = await knex.transaction();
    let stuck: Awaited<ReturnType<typeof assign>>;
    try {
      await other.raw('insert into lesson_line_items (lesson_sourced_id, line_item_sourced_id) values (?, ?)', [
        lesson.sourcedId,
        `li-${lesson.sourcedId}`,
      ]);
      stuck = await assign();
    } finally {
      await other.rollback();
    }
    expect({ status: stuck.status, retryAfter: stuck.headers['retry-after'], body: stuck.body }).toEqual({
      status: 503,
      retryAfter: '1',
      body: {
        imsx_codeMajor: 'failure',
        imsx_severity: 'error',
        imsx_description: 'The service is busy; retry after Retry-After seconds',
        imsx_CodeMinor: {
          imsx_codeMinorField: [
            { imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: 'server_busy' },
          ],
        },
        imsx_error_details: [{ code: 'BUSY' }],
      },
    });
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
  }, 30_000);

  it("waits out another instance's migration run however long it takes", async () => {
    const holder = new Client({ connectionString: workerDatabaseUrl() });
    await holder.connect();
    try {
      await holder.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
      let started = false;
      const second = createTestApp({ DATABASE_LOCK_TIMEOUT_MS: '100' }).then((app) => {
        started = true;
        return app;
      });
      // Well past the second instance's lock timeout, it is still waiting for the run to end, not failed.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(started).toBe(false);
      await holder.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      const app = await second;
      try {
        // The wait's own setting was put back: the pool's connections keep the configured timeout.
        const knex = app.orm.em.fork().getConnection().getKnex();
        const shown = await knex.raw<{ rows: { lock_timeout: string }[] }>('show lock_timeout');
        expect(shown.rows).toEqual([{ lock_timeout: '100ms' }]);
      } finally {
        await app.close();
      }
    } finally {
      await holder.end();
    }
  }, 30_000);
});
