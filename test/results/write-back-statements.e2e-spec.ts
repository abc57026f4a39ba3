import { assignTrackedPlacement, createTrackedSubject, enrollmentsOf } from '../helpers/lesson-setup';
import { resultRow } from '../helpers/rows';
import { CourseEnrollmentRepository } from '@external-tests/persistence';
import { createTestApp, TestApp } from '../helpers/test-app';

/**
 * What a MasteryTrack write-back costs in SQL (issue 13: ≤ 5 is the target; this pins what is reached so a change
 * that adds a round trip shows here): the PUT's own statements, and finalization with its enrollment in the same
 * transaction. A delivery no tool deems final costs no finalization statement at all.
 */
describe('write-back statements', () => {
  let t: TestApp;
  let token: string;
  let recording: string[] | undefined;

  beforeAll(async () => {
    t = await createTestApp({}, { hooks: { onQuery: (sql) => recording?.push(sql) } });
    token = await t.token();
  });
  afterAll(() => t.close());

  const assignedPlacement = () => assignTrackedPlacement(t, token);

  const resultRowById = async (id: string) =>
    (
      await t.orm.em
        .fork()
        .getConnection()
        .execute<
          { metadata: Record<string, any> }[]
        >('select metadata from assessment_results where sourced_id = ?', [id])
    )[0];

  async function statementsOf(put: () => Promise<unknown>): Promise<string[]> {
    recording = [];
    await put();
    const sql = recording;
    recording = undefined;
    return sql;
  }

  const writeBack = (row: Record<string, any>, student: string, o: Record<string, unknown>) =>
    t
      .http()
      .put(`/ims/oneroster/gradebook/v1p2/assessmentResults/${row.sourced_id}`)
      .set('Authorization', `Bearer ${token}`)
      .send({
        assessmentResult: {
          sourcedId: row.sourced_id,
          status: 'active',
          assessmentLineItem: { sourcedId: row.line_item_sourced_id },
          student: { sourcedId: student },
          scoreDate: new Date().toISOString(),
          ...o,
        },
      })
      .expect(201);

  it('a final delivery: 5 statements in one transaction, finalization and enrollment included', async () => {
    const { student, lesson, row } = await assignedPlacement();
    const sql = await statementsOf(() =>
      writeBack(row, student.sourcedId, {
        score: 95,
        scoreStatus: 'fully graded',
        metadata: { masteryTrackProcessed: true },
      }),
    );
    expect(sql).toHaveLength(5);
    // The row lock and the reference check are one statement.
    expect(sql[1]).toMatch(/for update[\s\S]*jsonb_agg[\s\S]*tool_assignments/);
    // Finalization, enrollment and its recorded outcome are one statement.
    expect(sql[3]).toMatch(/update assessment_results[\s\S]*finalized_at/);
    expect(sql[3]).toMatch(/insert into enrollments/);
    expect(sql.filter((s) => /^begin\b/.test(s))).toHaveLength(1);
    expect(sql.at(-1)).toMatch(/^commit\b/);
    expect(sql.some((s) => /savepoint/.test(s))).toBe(false);
    // It did what those statements claim: final, enrolled, recorded.
    const stored = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
    expect(stored.finalized_at).not.toBeNull();
    expect(stored.metadata.enrollment).toMatchObject({ status: 'enrolled', reason: 'mastered' });
    expect(await enrollmentsOf(t.orm, student.sourcedId)).toHaveLength(1);

    // A redelivery to the final attempt changes nothing and (uncontended) costs no finalization statement.
    const again = await statementsOf(() =>
      writeBack(row, student.sourcedId, {
        score: 96,
        scoreStatus: 'fully graded',
        metadata: { masteryTrackProcessed: true },
      }),
    );
    expect(again.some((s) => /finalized_at = now\(\)/.test(s))).toBe(false);
    expect(again).toHaveLength(3);
    expect(await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).toMatchObject({
      score: stored.score,
      finalized_at: stored.finalized_at,
    });
  });

  it('a delivery that is not final: 4 statements, no finalization', async () => {
    const { student, row } = await assignedPlacement();
    const sql = await statementsOf(() =>
      writeBack(row, student.sourcedId, { score: 40, scoreStatus: 'partially graded', metadata: {} }),
    );
    expect(sql).toHaveLength(4);
    expect(sql.some((s) => /finalized_at = now\(\)/.test(s))).toBe(false);
  });

  it('the first statement holds the row lock: a write made meanwhile by another transaction is what the rules see', async () => {
    const { student, lesson, row } = await assignedPlacement();
    const knex = t.orm.em.getConnection().getKnex();
    const other = await knex.transaction();
    // A newer delivery, committed while ours is under way: ours is then the older one and must be a no-op.
    await other.raw(
      "update assessment_results set score = 33, score_status = 'partially graded', score_date = now() + interval '1 hour' where sourced_id = ?",
      [row.sourced_id],
    );
    let answered = false;
    const put = writeBack(row, student.sourcedId, { score: 70, scoreStatus: 'partially graded', metadata: {} }).then(
      (r) => ((answered = true), r),
    );
    await new Promise((r) => setTimeout(r, 700));
    expect(answered).toBe(false);
    await other.commit();
    await put;
    expect(Number((await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).score)).toBe(33);
  });

  it('two concurrent finalizations of one attempt: the second waits, finds it final, enrols and records nothing', async () => {
    const { student, row } = await assignedPlacement();
    const tracked = await createTrackedSubject(t.orm);
    const [em1, em2] = [t.orm.em.fork(), t.orm.em.fork()];
    await em1.begin();
    await em2.begin();
    try {
      const first = await new CourseEnrollmentRepository(em1).finalizeAndEnrol(
        row.sourced_id,
        student.sourcedId,
        undefined,
        {
          enrol: { courseId: tracked.courses['3'] },
          reason: 'first',
        },
      );
      expect(first?.enrollment).toMatchObject({ status: 'enrolled', courseId: tracked.courses['3'] });
      const second = new CourseEnrollmentRepository(em2).finalizeAndEnrol(
        row.sourced_id,
        student.sourcedId,
        undefined,
        {
          enrol: { courseId: tracked.courses['4'] },
          reason: 'second',
        },
      );
      await new Promise((r) => setTimeout(r, 300));
      await em1.commit();
      expect(await second).toBeUndefined();
      await em2.commit();
    } finally {
      await em1.rollback().catch(() => undefined);
      await em2.rollback().catch(() => undefined);
    }
    expect(await enrollmentsOf(t.orm, student.sourcedId)).toEqual([
      expect.objectContaining({ course_sourced_id: tracked.courses['3'] }),
    ]);
    expect((await resultRowById(row.sourced_id)).metadata.enrollment).toMatchObject({ reason: 'first' });
  });
});
