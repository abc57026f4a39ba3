import { Writable } from 'node:stream';
import { Client } from 'pg';
import request from 'supertest';
import { BUSY_ANSWER } from '../helpers/busy-answer';
import { assignTrackedPlacement, enrollmentsOf } from '../helpers/lesson-setup';
import { countRows, resultRow } from '../helpers/rows';
import { createTestApp, TestApp } from '../helpers/test-app';
import { onEmbeddedDatabase, workerDatabaseUrl } from '../helpers/test-database';
import { toolState } from '../helpers/tool-state';
import { waitFor } from '../helpers/wait-for';

const IDLE_MS = 1_000;

// The embedded database has one session behind every connection: the setting is never applied there.
const describeOnPostgres = onEmbeddedDatabase() ? describe.skip : describe;

/**
 * DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: an instance that stalls inside a transaction (paused, stopped, its loop
 * blocked) holds the rows it wrote. PostgreSQL ends such a session, so other instances' requests get the rows, and the
 * stalled request fails as on a lost connection: 503 BUSY, nothing of its transaction written.
 */
describeOnPostgres('DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: a transaction left idle', () => {
  let t: TestApp;
  let token: string;
  const chunks: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, cb) => (chunks.push(String(chunk)), cb()) });
  const logged = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { level: number; context?: string; msg?: string });
  beforeAll(async () => {
    t = await createTestApp(
      { DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: String(IDLE_MS), LOG_LEVEL: 'warn' },
      { hooks: { logDestination: sink } },
    );
    token = await t.token();
  });
  afterAll(() => t.close());
  afterEach(() => jest.restoreAllMocks());

  it('a write-back stalled inside its transaction: its row is free for others once it has idled, the delivery is 503 BUSY with nothing written, and the redelivery finalizes', async () => {
    const { tracked, lesson, student, assignmentId, row } = await assignTrackedPlacement(t, token);

    // Inside the write-back's transaction, which has written the result's row, another session asks for that row.
    // The transaction is idle while it waits: past IDLE_MS PostgreSQL ends its session and the other gets the row.
    let stalls = 1;
    let otherGotRowAfterMs: number | string | undefined;
    t.recoveryPoints.current = async (point, at) => {
      if (point !== 'finalizing' || at.resultSourcedId !== row.sourced_id || stalls-- <= 0) return;
      // The transaction's idle time starts about here (its last statement was just answered).
      const started = Date.now();
      const other = new Client({ connectionString: workerDatabaseUrl() });
      await other.connect();
      try {
        await other.query('set lock_timeout = 5000');
        await other.query('select 1 from assessment_results where sourced_id = $1 for update', [row.sourced_id]);
        otherGotRowAfterMs = Date.now() - started;
      } catch (e) {
        otherGotRowAfterMs = (e as { code?: string }).code;
      } finally {
        await other.end();
      }
    };
    let delivery: { status: number; body: unknown };
    const consoleLog = jest.spyOn(console, 'log');
    try {
      delivery = await toolState(t.sandboxes).mtComplete(assignmentId, student.sourcedId, 91);
    } finally {
      t.recoveryPoints.current = undefined;
    }
    // The pool reports the ended connection as it drops it (the next time it hands it out), with the server's reason,
    // as one line of the JSON log rather than knex's console.log.
    const report = await waitFor(async () => {
      await countRows(t.orm, 'assessment_results where sourced_id = ?', [row.sourced_id]);
      return logged().find((l) => l.context === 'Database');
    }, 'the pool to report the ended connection');
    expect(report).toMatchObject({
      level: 40,
      msg: expect.stringMatching(/^Connection Error: .*terminating connection due to idle-in-transaction timeout$/),
    });
    expect(consoleLog.mock.calls.flat().join('\n')).not.toContain('Connection Error');
    // Not the 5 s lock timeout (55P03 at 5000): the stalled session ended after about IDLE_MS.
    expect(otherGotRowAfterMs).toEqual(expect.any(Number));
    expect(otherGotRowAfterMs).toBeGreaterThanOrEqual(IDLE_MS - 200);
    expect(otherGotRowAfterMs).toBeLessThan(5_000);
    expect(delivery).toEqual({ status: BUSY_ANSWER.status, body: BUSY_ANSWER.body });
    expect(await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).toMatchObject({
      score: null,
      score_status: 'not submitted',
      finalized_at: null,
    });
    expect(await enrollmentsOf(t.orm, student.sourcedId)).toEqual([]);

    // The tool delivers again, as it does after a 5xx: the attempt is finalized once, with its enrolment.
    const again = await request(t.sandboxes.masteryTrack.url)
      .post(`/__sandbox/assignments/${assignmentId}/redeliver`)
      .send({})
      .expect(200);
    expect(again.body.data.writeBack.status).toBe(201);
    expect(await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).toMatchObject({
      score: 91,
      score_status: 'fully graded',
      finalized_at: expect.anything(),
    });
    expect((await enrollmentsOf(t.orm, student.sourcedId)).map((e) => e.course_sourced_id)).toEqual([
      tracked.courses['5'],
    ]);
  }, 30_000);
});
