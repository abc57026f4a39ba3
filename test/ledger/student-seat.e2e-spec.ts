import { setTimeout as sleep } from 'node:timers/promises';
import { RequestContext } from '@mikro-orm/core';
import { UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { DEFAULT_EDULASTIC_TESTS } from '@external-tests/sandbox';
import { AttemptLedgerRepository, Claim, ClaimInput, ToolUserHeld } from '@external-tests/persistence';
import { createLesson, createStudent } from '../helpers/fixtures';
import { countRows, ledgerRows, resultRow } from '../helpers/rows';
import { parkAt } from '../helpers/recovery-points';
import { sandboxControl } from '../helpers/sandbox-control';
import { createTestApp, TestApp } from '../helpers/test-app';
import { onEmbeddedDatabase } from '../helpers/test-database';
import { toolState } from '../helpers/tool-state';
import { waitFor } from '../helpers/wait-for';

/**
 * The student's seat at a tool (docs/ledger.md; at Edulastic it also guards the TEST_HELD check): a new attempt's
 * claim takes it in the same statement, marked as calling, so a new assignment is three statements; a seat another
 * request holds is waited for as before; and an attempt is marked as calling exactly when it holds the seat, also when
 * two claims race for it.
 */
const ROUTE = '/powerpath/makeExternalTestAssignment';
const LEASE_SECONDS = 5;

describe("the student's seat", () => {
  let t: TestApp;
  let token: string;
  let recording: string[] | undefined;
  const tools = () => toolState(t.sandboxes);
  const assign = (student: string, lesson: string) =>
    t.http().post(ROUTE).set('Authorization', `Bearer ${token}`).send({ student, lesson });
  /** Until a claim statement waits for a lock another session holds (its snapshot is taken by then). */
  const claimWaitingOnALock = (what: string) =>
    waitFor(
      async () =>
        (await countRows(
          t.orm,
          "pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like ?",
          ['with li as%'],
        )) > 0,
      what,
    );
  /** An assignment and the statements it ran. */
  async function assignRecorded(student: string, lesson: string) {
    recording = [];
    try {
      const res = await assign(student, lesson);
      return { res, statements: recording };
    } finally {
      recording = undefined;
    }
  }
  /** Sends an assignment that stops for good right after its claim (a process dying there), until `die()`. */
  function dieAtClaim(student: string, lesson: string) {
    let reached!: () => void;
    let kill!: (e: Error) => void;
    const atClaim = new Promise<void>((r) => (reached = r));
    const gate = new Promise<never>((_, reject) => (kill = reject));
    gate.catch(() => undefined);
    let armed = true;
    t.recoveryPoints.current = async (point, at) => {
      if (!armed || point !== 'claimed' || at.studentSourcedId !== student) return;
      armed = false;
      reached();
      await gate;
    };
    const dead = assign(student, lesson).then((r) => r.status);
    return {
      reached: atClaim,
      async die() {
        t.recoveryPoints.current = undefined;
        kill(new Error('the process died here'));
        await dead;
      },
    };
  }
  const seatOf = async (student: string) =>
    (
      await t.orm.em
        .fork()
        .getConnection()
        .execute<
          { holder: string | null; held: boolean }[]
        >('select holder, lease_until > now() held from tool_seats where student_sourced_id = ?', [student])
    )[0];

  /** A new attempt's claim at MasteryTrack on an account of the test's own, as the flow makes it. */
  const newAttempt = (student: string, lesson: string, account: string, seat = true): ClaimInput => ({
    lessonSourcedId: lesson,
    lessonTitle: 'Lesson',
    studentSourcedId: student,
    toolUser: null,
    attempt: 1,
    tool: 'mastery-track',
    account,
    request: { applicationName: null, requestedTestId: null, skipCourseEnrollment: false },
    leaseSeconds: LEASE_SECONDS,
    resultMetadata: { attempt: 1 },
    origin: 'test',
    seat,
  });
  const claimNew = async (student: string, lesson: string, account: string): Promise<Claim | undefined> => {
    const claim = await RequestContext.create(t.orm.em, () =>
      t.app.get(AttemptLedgerRepository).claim(newAttempt(student, lesson, account)),
    );
    if (claim instanceof ToolUserHeld) throw new Error('a student of its own email was refused its seat');
    return claim;
  };
  /** Undoes a claim that asked nothing (as a failed flow does), so reconciliation in later suites finds nothing of it. */
  const undo = (claim: Claim) =>
    RequestContext.create(t.orm.em, () => t.app.get(AttemptLedgerRepository).release(claim, false));

  beforeAll(async () => {
    t = await createTestApp(
      { ASSIGNMENT_LEASE_SECONDS: String(LEASE_SECONDS) },
      { hooks: { onQuery: (sql) => recording?.push(sql) } },
    );
    token = await t.token();
  });
  afterAll(() => t.close());

  it('a new MasteryTrack assignment takes the seat with its claim: three statements, the seat free again after', async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm);
    const { res, statements } = await assignRecorded(student.sourcedId, lesson.sourcedId);
    expect(res.status).toBe(200);
    // read, claim with the seat, record: no statement of the seat's own.
    expect(statements).toHaveLength(3);
    expect(statements[1]).toMatch(/insert into tool_seats[\s\S]*insert into tool_assignments/);
    expect(statements.some((s) => /^with seat as/.test(s))).toBe(false);
    expect(await seatOf(student.sourcedId)).toEqual({ holder: null, held: null });
    const [row] = await ledgerRows(t.orm, student.sourcedId);
    expect(row).toMatchObject({ state: 'assigned', called: false, external_id: res.body.assignmentId });
  });

  it("a new Edulastic assignment reads the student's tests with the claim that takes the seat: three statements", async () => {
    const [first, student] = [await createStudent(t.orm), await createStudent(t.orm)];
    const lesson = await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: DEFAULT_EDULASTIC_TESTS[0].id });
    const other = await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: DEFAULT_EDULASTIC_TESTS[1].id });
    // The lesson's class (made for another student) and the student's login (made for another lesson) are recorded.
    expect((await assign(first.sourcedId, lesson.sourcedId)).status).toBe(200);
    expect((await assign(student.sourcedId, other.sourcedId)).status).toBe(200);
    const { res, statements } = await assignRecorded(student.sourcedId, lesson.sourcedId);
    expect(res.status).toBe(200);
    // read, claim with the seat and the student's tests, record.
    expect(statements).toHaveLength(3);
    expect(statements[1]).toMatch(/insert into tool_seats[\s\S]*jsonb_agg\(g\)/);
    expect(await seatOf(student.sourcedId)).toEqual({ holder: null, held: null });
  });

  it('two lessons with one Edulastic test, assigned to a student at once: one is made, the other TEST_HELD, never both', async () => {
    const student = await createStudent(t.orm);
    const test = DEFAULT_EDULASTIC_TESTS[0];
    const lessons = [
      await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: test.id }),
      await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: test.id }),
    ];
    const edulastic = sandboxControl(t.sandboxes, 'edulastic');
    const assignCalls = () => edulastic.count('POST', '/api/assignments/v2/assign');
    const before = await assignCalls();
    // The first assign call stays at the tool a while: the other request checks the student's tests meanwhile.
    await edulastic.fault({ method: 'POST', path: '/api/assignments/v2/assign', delayMs: 400, times: 1 });
    try {
      const answers = await Promise.all(lessons.map((l) => assign(student.sourcedId, l.sourcedId)));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 422]);
      const held = answers.find((a) => a.status === 422)!;
      const made = answers.find((a) => a.status === 200)!;
      expect(held.body.imsx_error_details).toEqual([
        expect.objectContaining({ code: 'TEST_HELD', heldByLesson: lessons[answers.indexOf(made)].sourcedId }),
      ]);
      // The student has one assignment of the test, and the seat is free again.
      expect((await assignCalls()) - before).toBe(1);
      expect((await ledgerRows(t.orm, student.sourcedId)).map((r) => r.state)).toEqual(['assigned']);
      expect(await seatOf(student.sourcedId)).toEqual({ holder: null, held: null });
    } finally {
      await edulastic.clearFaults();
    }
  });

  it('a request dead right after its claim holds the seat, marked as calling; another lesson waits for it, then both are assigned once', async () => {
    const student = await createStudent(t.orm);
    const [first, second] = [await createLesson(t.orm), await createLesson(t.orm)];
    const crash = dieAtClaim(student.sourcedId, first.sourcedId);
    try {
      await crash.reached;
      const [held] = await ledgerRows(t.orm, student.sourcedId);
      expect(held).toMatchObject({ lesson_sourced_id: first.sourcedId, state: 'pending', called: true });
      expect(await seatOf(student.sourcedId)).toEqual({ holder: held.result_sourced_id, held: true });

      // The other lesson's claim finds the seat taken: it waits within its deadline (0.8 of the lease, shorter than
      // the seat's), then answers 409 having asked the tool nothing and left nothing behind.
      const waited = await assign(student.sourcedId, second.sourcedId);
      expect(waited.status).toBe(409);
      expect(waited.body.imsx_description).toMatch(/this student's assignments/);
      expect((await ledgerRows(t.orm, student.sourcedId)).map((r) => r.lesson_sourced_id)).toEqual([first.sourcedId]);
      expect(await tools().mtAssignments(student.email)).toHaveLength(0);
      await sleep(LEASE_SECONDS * 1000 + 200);
      const [a, b] = await Promise.all([
        assign(student.sourcedId, first.sourcedId),
        assign(student.sourcedId, second.sourcedId),
      ]);
      const settled = async (res: typeof a, lesson: string) =>
        res.status === 409 ? (await sleep(1000), assign(student.sourcedId, lesson)) : res;
      const [ra, rb] = [await settled(a, first.sourcedId), await settled(b, second.sourcedId)];
      expect([ra.status, rb.status]).toEqual([200, 200]);
      const mt = await tools().mtAssignments(student.email);
      expect(mt.map((x) => String(x.id)).sort()).toEqual([ra.body.assignmentId, rb.body.assignmentId].sort());
      expect(ra.body.assignmentId).not.toBe(rb.body.assignmentId);
    } finally {
      await crash.die();
    }
  }, 30_000);

  it('Edulastic: a request dead right after its claim holds the seat and its test: other lessons wait for it, past its lease a lesson of that test is TEST_HELD, and each test is assigned once', async () => {
    const student = await createStudent(t.orm);
    const [held, other] = DEFAULT_EDULASTIC_TESTS;
    const first = await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: held.id });
    const sameTest = await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: held.id });
    const otherTest = await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: other.id });
    const edulastic = sandboxControl(t.sandboxes, 'edulastic');
    const assignCalls = () => edulastic.count('POST', '/api/assignments/v2/assign');
    const before = await assignCalls();
    const crash = dieAtClaim(student.sourcedId, first.sourcedId);
    try {
      await crash.reached;
      // Both other lessons ask at once, well inside the dead request's lease: each waits for the seat within its own
      // deadline (0.8 of the lease, from its start), then answers 409, asking the tool nothing and leaving nothing
      // behind: the held-test check runs with the claim that takes the seat.
      const waiting = Promise.all([
        assign(student.sourcedId, sameTest.sourcedId),
        assign(student.sourcedId, otherTest.sourcedId),
      ]);
      const dead = (await ledgerRows(t.orm, student.sourcedId)).find((r) => r.lesson_sourced_id === first.sourcedId);
      expect(dead).toMatchObject({ state: 'pending', called: true });
      expect(await seatOf(student.sourcedId)).toEqual({ holder: dead!.result_sourced_id, held: true });
      expect((await waiting).map((r) => r.status)).toEqual([409, 409]);
      expect((await ledgerRows(t.orm, student.sourcedId)).map((r) => r.lesson_sourced_id)).toEqual([first.sourcedId]);
      expect((await assignCalls()) - before).toBe(0);

      // Past the lease, the lesson of the same test is refused while the dead attempt may hold it (pending, called),
      // pointing at the lesson to retry.
      await waitFor(async () => !(await seatOf(student.sourcedId)).held, "the dead request's lease to end");
      const refused = await assign(student.sourcedId, sameTest.sourcedId);
      expect(refused.status).toBe(422);
      expect(refused.body.imsx_error_details).toEqual([
        expect.objectContaining({ code: 'TEST_HELD', heldByLesson: first.sourcedId }),
      ]);
      expect(refused.body.imsx_description).toMatch(/retry that lesson/);
      const settled = async (lesson: string) => {
        const res = await assign(student.sourcedId, lesson);
        return res.status === 409 ? (await sleep(1000), assign(student.sourcedId, lesson)) : res;
      };
      const [ra, rb] = await Promise.all([settled(first.sourcedId), settled(otherTest.sourcedId)]);
      expect([ra.status, rb.status]).toEqual([200, 200]);
      // Once the first lesson's attempt is recorded, the same test is still held, now by a recorded assignment.
      const again = await assign(student.sourcedId, sameTest.sourcedId);
      expect(again.status).toBe(422);
      expect(again.body.imsx_error_details).toEqual([
        expect.objectContaining({ code: 'TEST_HELD', heldByLesson: first.sourcedId }),
      ]);
      const made = (await tools().eduOf(student.email)).assignments;
      expect(made.map((a) => a.testId).sort()).toEqual([held.id, other.id].sort());
      expect((await assignCalls()) - before).toBe(2);
      expect(ra.body.assignmentId).not.toBe(rb.body.assignmentId);
    } finally {
      await crash.die();
    }
  }, 30_000);

  // The embedded database has one session: nothing ever waits for another transaction there.
  const onPostgres = onEmbeddedDatabase() ? it.skip : it;

  onPostgres(
    'a seat another request is taking as the claim runs is not taken over: the attempt is neither seated nor marked as calling',
    async () => {
      const student = await createStudent(t.orm);
      const lesson = await createLesson(t.orm);
      const knex = t.orm.em.fork().getConnection().getKnex();
      // Another request's seat, written but not committed: the claim's snapshot does not see it; its insert waits,
      // then finds the seat held.
      const other = await knex.transaction();
      let claimed: ReturnType<typeof claimNew> | undefined;
      try {
        await other.raw(
          `insert into tool_seats (tool, account, student_sourced_id, lease_token, lease_until, holder)
         values ('mastery-track', 'race', ?, gen_random_uuid(), now() + interval '30 seconds', 'another-attempt')`,
          [student.sourcedId],
        );
        claimed = claimNew(student.sourcedId, lesson.sourcedId, 'race');
        // Wait until the claim is blocked on the uncommitted seat, then commit it.
        // (pg_stat_activity keeps only the statement's first 1 kB: the seat's insert is past it)
        await claimWaitingOnALock('the claim waiting for the seat');
        await other.commit();
        const claim = await claimed;
        expect(claim).toMatchObject({ prior: 'new', seated: false });
        const [row] = await ledgerRows(t.orm, student.sourcedId);
        // Marked as calling without the seat, it would make another attempt's unrecorded "exists" look like its own.
        expect(row).toMatchObject({ state: 'pending', called: false, lease_token: claim!.leaseToken });
        expect(await seatOf(student.sourcedId)).toEqual({ holder: 'another-attempt', held: true });
      } finally {
        if (!other.isCompleted()) await other.rollback();
        const claim = await claimed?.catch(() => undefined);
        if (claim) await undo(claim);
        await t.orm.em
          .fork()
          .getConnection()
          .execute('delete from tool_seats where student_sourced_id = ?', [student.sourcedId]);
      }
    },
  );

  onPostgres(
    "a claim whose snapshot predates another request's take and give-back of the seat reads the student's tests afresh: TEST_HELD, never both",
    async () => {
      const [first, student] = [await createStudent(t.orm), await createStudent(t.orm)];
      const test = DEFAULT_EDULASTIC_TESTS[0];
      const lessons = [
        await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: test.id }),
        await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: test.id }),
      ];
      // The first lesson's line item is recorded (made for another student), so the claim locks it (key share).
      expect((await assign(first.sourcedId, lessons[0].sourcedId)).status).toBe(200);
      const lineItem = (await resultRow(t.orm, first.sourcedId, lessons[0].sourcedId)).line_item_sourced_id;
      const edulastic = sandboxControl(t.sandboxes, 'edulastic');
      const assignCalls = () => edulastic.count('POST', '/api/assignments/v2/assign');
      const before = await assignCalls();
      const knex = t.orm.em.fork().getConnection().getKnex();
      const lock = await knex.transaction();
      try {
        await lock.raw('select 1 from assessment_line_items where sourced_id = ? for update', [lineItem]);
        // The first lesson's claim takes its snapshot, then waits for the line item's lock.
        const waiting = assign(student.sourcedId, lessons[0].sourcedId).then((r) => r);
        await claimWaitingOnALock('the claim waiting for the line item');
        // Meanwhile the second lesson takes the seat, is assigned the test and gives the seat back.
        expect((await assign(student.sourcedId, lessons[1].sourcedId)).status).toBe(200);
        await lock.commit();
        const held = await waiting;
        // From its snapshot the claim finds the seat free and no test given: it must not trust that.
        expect(held.status).toBe(422);
        expect(held.body.imsx_error_details).toEqual([
          expect.objectContaining({ code: 'TEST_HELD', heldByLesson: lessons[1].sourcedId }),
        ]);
        expect((await assignCalls()) - before).toBe(1);
        expect(await seatOf(student.sourcedId)).toEqual({ holder: null, held: null });
      } finally {
        if (!lock.isCompleted()) await lock.rollback();
      }
    },
  );

  it('a request whose lease another request took over takes no seat, is not marked as calling and calls nothing', async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm);
    const sql = (text: string, params: unknown[]) => t.orm.em.fork().getConnection().execute(text, params);
    // Another lesson's request holds the seat, so this claim is not seated and will ask for it in `alone`.
    await sql(
      `insert into tool_seats (tool, account, student_sourced_id, lease_token, lease_until, holder)
       values ('mastery-track', 'default', ?, gen_random_uuid(), now() + interval '30 seconds', 'another-attempt')`,
      [student.sourcedId],
    );
    const { reached, resume } = parkAt(t.recoveryPoints, 'claimed', student.sourcedId);
    // (`then` sends it: supertest is lazy)
    const parked = assign(student.sourcedId, lesson.sourcedId).then((r) => r);
    try {
      await reached;
      // While it is parked, the attempt's lease becomes another request's, and the other lesson gives the seat back.
      await sql('update tool_assignments set lease_token = gen_random_uuid() where student_sourced_id = ?', [
        student.sourcedId,
      ]);
      await sql('delete from tool_seats where student_sourced_id = ?', [student.sourcedId]);
      resume();
      const res = await parked;
      expect(res.status).toBe(409);
      expect(res.body.imsx_description).toMatch(/another one took the assignment over/);
      expect(await tools().mtAssignments(student.email)).toHaveLength(0);
      expect(await countRows(t.orm, 'tool_seats where student_sourced_id = ?', [student.sourcedId])).toBe(0);
      expect((await ledgerRows(t.orm, student.sourcedId))[0]).toMatchObject({ state: 'pending', called: false });
    } finally {
      t.recoveryPoints.current = undefined;
      resume();
      await parked;
      // Nothing for reconciliation in later suites to resume.
      await sql('delete from tool_assignments where student_sourced_id = ?', [student.sourcedId]);
      await sql('delete from assessment_results where student_sourced_id = ?', [student.sourcedId]);
      await sql('delete from tool_seats where student_sourced_id = ?', [student.sourcedId]);
    }
  });

  it('a request that outlives its lease between the tool answer and the record records nothing; the next adopts it', async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm);
    const { reached, resume } = parkAt(t.recoveryPoints, 'assignment.made', student.sourcedId);
    const stalled = assign(student.sourcedId, lesson.sourcedId).then((r) => r);
    try {
      await reached;
      // Past the lease, the seat may be another lesson's request's, which could withdraw what is unrecorded.
      await sleep(LEASE_SECONDS * 1000 + 300);
      resume();
      const late = await stalled;
      expect(late.status).toBe(409);
      expect((await ledgerRows(t.orm, student.sourcedId))[0]).toMatchObject({ state: 'pending', called: true });
      const next = await assign(student.sourcedId, lesson.sourcedId).expect(200);
      const made = await tools().mtAssignments(student.email);
      expect(made.map((x) => String(x.id))).toEqual([next.body.assignmentId]);
    } finally {
      t.recoveryPoints.current = undefined;
      resume();
      await stalled;
    }
  }, 20_000);

  it('a free seat left by a dead request (lease over) is taken by the claim', async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm);
    await t.orm.em
      .fork()
      .getConnection()
      .execute(
        `insert into tool_seats (tool, account, student_sourced_id, lease_token, lease_until, holder)
         values ('mastery-track', 'expired', ?, gen_random_uuid(), now() - interval '1 second', 'a-dead-attempt')`,
        [student.sourcedId],
      );
    const claim = (await claimNew(student.sourcedId, lesson.sourcedId, 'expired'))!;
    let undone = false;
    try {
      expect(claim).toMatchObject({ prior: 'new', seated: true });
      expect(await seatOf(student.sourcedId)).toEqual({ holder: claim.resultSourcedId, held: true });
      expect((await ledgerRows(t.orm, student.sourcedId))[0]).toMatchObject({ called: true });
      // Undoing the claim gives the seat back with its rows.
      await undo(claim);
      undone = true;
      expect(await seatOf(student.sourcedId)).toEqual({ holder: null, held: null });
      expect(await ledgerRows(t.orm, student.sourcedId)).toEqual([]);
    } finally {
      if (!undone) await undo(claim);
    }
  });

  it("inside a transaction, a claim refused another student's tool user rethrows the violation (the transaction is aborted; nothing more runs in it)", async () => {
    const [a, lesson] = [await createStudent(t.orm), await createLesson(t.orm)];
    const b = await createStudent(t.orm, { email: a.email });
    const ledger = t.app.get(AttemptLedgerRepository);
    const first = { ...newAttempt(a.sourcedId, lesson.sourcedId, 'in-transaction'), toolUser: a.email };
    const claim = (await RequestContext.create(t.orm.em, () => ledger.claim(first))) as Claim;
    try {
      const second = { ...newAttempt(b.sourcedId, lesson.sourcedId, 'in-transaction'), toolUser: b.email };
      // Outside one, the same claim is refused in the data (a ToolUserHeld, which AssignmentService answers 422).
      expect(await RequestContext.create(t.orm.em, () => ledger.claim(second))).toBeInstanceOf(ToolUserHeld);
      await expect(
        RequestContext.create(t.orm.em, () => t.orm.em.transactional(() => ledger.claim(second))),
      ).rejects.toBeInstanceOf(UniqueConstraintViolationException);
      expect(await ledgerRows(t.orm, b.sourcedId)).toEqual([]);
    } finally {
      await undo(claim);
    }
  });

  onPostgres(
    "undoing a claim locks its result before its ledger row, as a change of the result's status does (no deadlock)",
    async () => {
      const student = await createStudent(t.orm);
      const lesson = await createLesson(t.orm);
      const claim = (await claimNew(student.sourcedId, lesson.sourcedId, 'undo-order'))!;
      const knex = t.orm.em.fork().getConnection().getKnex();
      // Another transaction holds the result, as a OneRoster DELETE does before its trigger writes the ledger row.
      const deleting = await knex.transaction();
      let undoing: Promise<void> | undefined;
      try {
        await deleting.raw('select 1 from assessment_results where sourced_id = ? for update', [claim.resultSourcedId]);
        undoing = undo(claim);
        await waitFor(
          async () =>
            (await countRows(
              t.orm,
              "pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like ?",
              ['%assessment_results%'],
            )) > 0,
          'the undo waiting for the result',
        );
        // Waiting for the result, the undo holds nothing of the ledger row yet: the trigger could take it.
        const probe = await knex.transaction();
        try {
          const locked = await probe
            .raw('select 1 from tool_assignments where result_sourced_id = ? for update nowait', [
              claim.resultSourcedId,
            ])
            .then(
              () => false,
              (e: { code?: string }) => e.code === '55P03',
            );
          expect(locked).toBe(false);
        } finally {
          await probe.rollback();
        }
        await deleting.commit();
        await undoing;
        expect([await ledgerRows(t.orm, student.sourcedId), await seatOf(student.sourcedId)]).toEqual([
          [],
          { holder: null, held: null },
        ]);
      } finally {
        if (!deleting.isCompleted()) await deleting.rollback();
        await undoing?.catch(() => undefined);
      }
    },
  );

  // The seat is given back by its holder, in the statement that records the answer or lets the call go. Without an
  // index on holder every MasteryTrack assignment read every student's seat (a bench profile found it).
  describe('giving the seat back reads one seat, however many students have one', () => {
    const recorded = {
      classId: null,
      testId: null,
      testTitle: null,
      testUrl: 'https://example.org/t',
      toolUserId: null,
      callsAs: null,
      adopted: false,
    };
    const ways: [string, (repo: AttemptLedgerRepository, claim: Claim) => Promise<unknown>][] = [
      ['recording the answer', (repo, claim) => repo.recordAssigned(claim, { externalId: 'x-1', ...recorded }, {})],
      ['letting a call that reached the tool go', (repo, claim) => repo.release(claim, true)],
      ['undoing a claim that asked nothing', (repo, claim) => repo.release(claim, false)],
    ];

    // Taken with the claim (a new attempt, seat free) or on its own (AttemptToolLedger.alone: the seat was busy).
    const cases = ways.flatMap(([way, giveBack]) =>
      [true, false].map(
        (withClaim) => [way, withClaim ? 'with the claim' : 'on its own', withClaim, giveBack] as const,
      ),
    );

    onPostgres.each(cases)('%s, the seat taken %s', async (_way, _taken, withClaim, giveBack) => {
      const student = await createStudent(t.orm);
      const lesson = await createLesson(t.orm);
      const account = `many-seats-${student.sourcedId}`;
      const repo = t.app.get(AttemptLedgerRepository);
      const rollback = new Error('rolled back');
      let seen: { seqScans: number; indexScans: number; holder: string | null } | undefined;
      // One transaction, rolled back: pg_stat_xact_user_tables counts this transaction's scans.
      await t.orm.em
        .fork()
        .transactional(async (em) => {
          await em.execute(
            `insert into tool_seats (tool, account, student_sourced_id)
             select 'mastery-track', ?, 'another-student-' || g from generate_series(1, 2000) g`,
            [account],
          );
          await em.execute('analyze tool_seats');
          const scans = async () => {
            const [row] = await em.execute<{ seq: string; idx: string }[]>(
              "select seq_scan seq, idx_scan idx from pg_stat_xact_user_tables where relname = 'tool_seats'",
            );
            return { seq: Number(row.seq), idx: Number(row.idx) };
          };
          const claim = (await repo.claim(
            newAttempt(student.sourcedId, lesson.sourcedId, account, withClaim),
          )) as Claim;
          expect(claim).toMatchObject({ seated: withClaim });
          if (!withClaim) {
            const seat = { tool: 'mastery-track', account, studentSourcedId: student.sourcedId, toolUser: null };
            expect(await repo.takeSeat(seat, claim, LEASE_SECONDS)).toMatchObject({ taken: true, lost: false });
          }
          const before = await scans();
          await giveBack(repo, claim);
          const after = await scans();
          const [seat] = await em.execute<{ holder: string | null }[]>(
            "select holder from tool_seats where tool = 'mastery-track' and account = ? and student_sourced_id = ?",
            [account, student.sourcedId],
          );
          // The index scan is counted too: the counters work, and the seat was found through an index.
          seen = { seqScans: after.seq - before.seq, indexScans: after.idx - before.idx, holder: seat.holder };
          throw rollback;
        })
        .catch((e: unknown) => {
          if (e !== rollback) throw e;
        });
      expect(seen).toEqual({ seqScans: 0, indexScans: 1, holder: null });
    });
  });
});
