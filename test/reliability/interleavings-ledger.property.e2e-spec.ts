import fc from 'fast-check';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { DEFAULT_EDULASTIC_TESTS } from '@external-tests/sandbox';
import { createLesson, createStudent, LessonFixture, StudentFixture } from '../helpers/fixtures';
import { countRows, ledgerRows } from '../helpers/rows';
import { sandboxControl } from '../helpers/sandbox-control';
import { createTestApp, TestApp } from '../helpers/test-app';
import { toolState } from '../helpers/tool-state';

/**
 * The interleavings property (interleavings.property.e2e-spec.ts), extended to what the ledger is for:
 * several lessons of one subject and grade per student, retakes, and parallel lessons of new Edulastic students,
 * under tool faults. Invariants: never two tool assignments for one result (one object per purpose), every
 * recorded assignment is the tool's and writes back to its own result, only documented statuses, and once
 * faults stop, every lesson settles. FC_SEED / FC_RUNS reproduce or widen a run.
 */
const ASSIGN = '/powerpath/makeExternalTestAssignment';
const RUNS = Number(process.env.FC_RUNS ?? 12);
/**
 * A fixed seed by default, so a red build is a change's and not the draw's; `FC_SEED=random` explores new
 * interleavings (run it when touching the ledger).
 */
const SEED = process.env.FC_SEED === 'random' ? undefined : Number(process.env.FC_SEED ?? 20261130);
const ALLOWED = [200, 409, 422, 502, 503, 504];

type Fault = { status: 500 | 503 } | { delayMs: number } | { drop: true } | { loseAnswer: true };
const fault: fc.Arbitrary<Fault> = fc.oneof(
  fc.record({ status: fc.constantFrom(500 as const, 503 as const) }),
  fc.record({ delayMs: fc.integer({ min: 350, max: 600 }) }),
  fc.constant({ drop: true as const }),
  // The tool acts but its answer is lost: the retry hears "already exists".
  fc.constant({ loseAnswer: true as const }),
);

type Command =
  | { kind: 'assign'; lesson: number; fault: Fault | null }
  | { kind: 'complete'; pick: number; score: number }
  | { kind: 'newAttempt'; lesson: number };

const command = (lessons: number): fc.Arbitrary<Command> =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('assign' as const),
        lesson: fc.nat({ max: lessons - 1 }),
        fault: fc.option(fault, { freq: 3 }),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('complete' as const),
        pick: fc.nat(),
        score: fc.integer({ min: 0, max: 100 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('newAttempt' as const), lesson: fc.nat({ max: lessons - 1 }) }),
    },
  );

/**
 * Scenarios a run once failed on, replayed first on every run. Commands of one batch run in parallel, so a replay
 * meets the same interleaving only most of the time; each bug also has a deterministic test (ledger/purposes).
 * - Seed 187934478: a lesson's own lost answer made an assignment, its retry met it as "exists" with another lesson's
 *   call unanswered too, answered 422, and the claim was undone; a later request of the other lesson adopted that
 *   assignment, which wrote back to the deleted result.
 * - Seed -1961395739: a retake's lost answer made an assignment; another lesson's call met it and lost that answer
 *   too. The retake resumed first and got another test beside it (two live assignments for its result); then the
 *   other lesson adopted it, writing back to the retake's result.
 */
const MASTERY_TRACK_REGRESSIONS: [{ lessons: number; commands: Command[]; joins: boolean[] }][] = [
  [
    {
      lessons: 3,
      commands: [
        { kind: 'assign', lesson: 0, fault: { status: 503 } },
        { kind: 'assign', lesson: 2, fault: null },
        { kind: 'assign', lesson: 0, fault: { drop: true } },
        { kind: 'complete', pick: 1907836494, score: 0 },
        { kind: 'assign', lesson: 0, fault: null },
        { kind: 'complete', pick: 10, score: 33 },
        { kind: 'complete', pick: 1212061111, score: 6 },
        { kind: 'assign', lesson: 0, fault: { status: 503 } },
        { kind: 'assign', lesson: 0, fault: { status: 500 } },
        { kind: 'assign', lesson: 1, fault: { delayMs: 459 } },
        { kind: 'assign', lesson: 1, fault: { loseAnswer: true } },
        { kind: 'assign', lesson: 1, fault: null },
        { kind: 'assign', lesson: 0, fault: { loseAnswer: true } },
      ],
      joins: [true, false, false, true, true, false, true, false, true, true, true, false, false, false],
    },
  ],
  [
    {
      lessons: 2,
      commands: [
        { kind: 'complete', pick: 1331373992, score: 67 },
        { kind: 'complete', pick: 1621079418, score: 18 },
        { kind: 'assign', lesson: 0, fault: { delayMs: 353 } },
        { kind: 'assign', lesson: 0, fault: { loseAnswer: true } },
        { kind: 'assign', lesson: 0, fault: { status: 500 } },
        { kind: 'complete', pick: 1193329891, score: 62 },
        { kind: 'assign', lesson: 0, fault: { loseAnswer: true } },
        { kind: 'assign', lesson: 0, fault: { status: 503 } },
        { kind: 'assign', lesson: 0, fault: { status: 500 } },
        { kind: 'assign', lesson: 1, fault: { loseAnswer: true } },
        { kind: 'assign', lesson: 1, fault: { loseAnswer: true } },
        { kind: 'assign', lesson: 1, fault: { drop: true } },
        { kind: 'assign', lesson: 0, fault: null },
      ],
      joins: [false, false, false, false, true, true, false, true, true, false, true, false, false, false],
    },
  ],
];

describe('interleavings with several lessons, retakes and new students (property)', () => {
  let t: TestApp;
  let token: string;
  const tools = () => toolState(t.sandboxes);
  const post = (path: string, body: object) => t.http().post(path).set('Authorization', `Bearer ${token}`).send(body);

  beforeAll(async () => {
    t = await createTestApp({
      VENDOR_TIMEOUT_MS: '300',
      VENDOR_DEADLINE_MS: '1000',
      ASSIGNMENT_LEASE_SECONDS: '5',
      RATE_LIMIT_PER_MINUTE: '1000000',
    });
    token = await t.token();
  });
  afterEach(async () => {
    await sandboxControl(t.sandboxes, 'masteryTrack').clearFaults();
    await sandboxControl(t.sandboxes, 'edulastic').clearFaults();
  });
  afterAll(() => t.close());

  /** Retries like a client until the answer is final (or the tool's circuit stays open too long). */
  async function settle(student: string, lesson: string): Promise<request.Response> {
    for (let i = 0; ; i++) {
      const res = await post(ASSIGN, { student, lesson });
      if (![409, 502, 503, 504].includes(res.status) || i === 30) return res;
      await sleep(Math.min(Number(res.headers['retry-after'] ?? 0.5), 11) * 1000);
    }
  }

  /**
   * One tool object per purpose, and the ledger's record of each is the tool's. An attempt that finished while a
   * retry asked the tool may also hold the one made meanwhile, withdrawn (INVALIDATED) or, until the student's next
   * assignment takes it back, still active: never two active ones, never two kept ones for an unfinished attempt
   * (three for a finished one), and never one recorded after the attempt finished unless it is the one that did.
   */
  async function checkMasteryTrack(student: StudentFixture): Promise<void> {
    const tool = await tools().mtAssignments(student.email);
    const finals = await t.orm.em
      .fork()
      .getConnection()
      .execute<{ sourced_id: string; external_id: string | null; recorded_after: boolean }[]>(
        `select ar.sourced_id, ta.external_id, ta.state = 'assigned' and ta.assigned_at > ar.finalized_at recorded_after
         from assessment_results ar left join tool_assignments ta on ta.result_sourced_id = ar.sourced_id
         where ar.student_sourced_id = ? and ar.finalized_at is not null`,
        [student.sourcedId],
      );
    const finished = new Set(finals.map((r) => r.sourced_id));
    // Nothing is recorded on a finished attempt but the assignment that finished it (the student was that quick).
    const late = finals.filter(
      (r) => r.recorded_after && tool.find((a) => String(a.id) === r.external_id)?.status !== 'COMPLETED',
    );
    if (late.length > 0)
      throw new Error(`an assignment recorded on a finished attempt: ${JSON.stringify(late)} ${JSON.stringify(tool)}`);
    const perResult = new Map<string, typeof tool>();
    for (const a of tool)
      perResult.set(a.assessment_result_sourced_id!, [...(perResult.get(a.assessment_result_sourced_id!) ?? []), a]);
    const twice = [...perResult].filter(([result, mine]) => {
      const kept = mine.filter((a) => a.status !== 'INVALIDATED');
      const active = kept.filter((a) => ['ASSIGNED', 'IN_PROGRESS', 'PAUSED'].includes(a.status));
      return active.length > 1 || kept.length > (finished.has(result) ? 2 : 1);
    });
    if (twice.length > 0)
      throw new Error(`two tool assignments for one attempt: ${JSON.stringify(twice)} ${JSON.stringify(tool)}`);
    for (const row of await ledgerRows(t.orm, student.sourcedId)) {
      if (row.state !== 'assigned') continue;
      const own = tool.find((a) => String(a.id) === row.external_id);
      if (own?.assessment_result_sourced_id !== row.result_sourced_id) {
        throw new Error(`ledger row ${JSON.stringify(row)} does not match the tool: ${JSON.stringify(own)}`);
      }
    }
  }

  it('MasteryTrack: several lessons of one subject and grade, retakes and faults keep one assignment per attempt', async () => {
    const scenario = fc.integer({ min: 1, max: 3 }).chain((lessons) =>
      fc.record({
        lessons: fc.constant(lessons),
        commands: fc.array(command(lessons), { minLength: 4, maxLength: 14 }),
        joins: fc.array(fc.boolean(), { minLength: 14, maxLength: 14 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const student = await createStudent(t.orm);
        const lessons: LessonFixture[] = [];
        for (let i = 0; i < s.lessons; i++) lessons.push(await createLesson(t.orm, { subject: 'Math', grades: ['4'] }));
        const log: string[] = [];
        const batches: Command[][] = [];
        s.commands.forEach((c, i) =>
          i > 0 && s.joins[i] && batches.at(-1)!.length < 4 ? batches.at(-1)!.push(c) : batches.push([c]),
        );
        try {
          for (const batch of batches) {
            const statuses = await Promise.all(
              batch.map(async (c): Promise<number | undefined> => {
                if (c.kind === 'assign') {
                  if (c.fault)
                    await sandboxControl(t.sandboxes, 'masteryTrack').fault({
                      method: 'POST',
                      path: '/delivery/assignments/assign',
                      ...c.fault,
                    });
                  return (await post(ASSIGN, { student: student.sourcedId, lesson: lessons[c.lesson].sourcedId }))
                    .status;
                }
                if (c.kind === 'newAttempt')
                  return (
                    await post('/powerpath/createNewAttempt', {
                      student: student.sourcedId,
                      lesson: lessons[c.lesson].sourcedId,
                    })
                  ).status;
                const active = await tools().mtActive(student.email);
                if (active.length === 0) return undefined;
                const a = active[c.pick % active.length];
                const res = await request(t.sandboxes.masteryTrack.url)
                  .post(`/__sandbox/assignments/${a.id}/complete`)
                  .send({ score: c.score, studentSourcedId: student.sourcedId });
                return res.status === 200 ? res.body.data.writeBack?.status : undefined;
              }),
            );
            log.push(`${batch.map((c) => JSON.stringify(c)).join(' ‖ ')} → ${statuses.join(',')}`);
            for (const st of statuses)
              if (st !== undefined && ![...ALLOWED, 201].includes(st)) throw new Error(`status ${st}`);
            await sandboxControl(t.sandboxes, 'masteryTrack').clearFaults();
            await checkMasteryTrack(student);
          }
          // Once the tool behaves, every lesson settles: its own assignment, or a 422 naming the lesson holding the test.
          for (const lesson of lessons) {
            const res = await settle(student.sourcedId, lesson.sourcedId);
            log.push(`settle ${lesson.sourcedId} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
            if (
              res.status === 422 &&
              /MasteryTrack test|no supported test left|TEST_NOT_FOUND/.test(res.body.imsx_description)
            )
              continue;
            if (res.status !== 200) throw new Error(`settle answered ${res.status}`);
          }
          await checkMasteryTrack(student);
        } catch (e) {
          throw new Error(`${e instanceof Error ? e.message : String(e)}\n${log.join('\n')}`);
        }
      }),
      {
        numRuns: RUNS,
        endOnFailure: true,
        examples: MASTERY_TRACK_REGRESSIONS,
        ...(SEED === undefined ? {} : { seed: SEED }),
      },
    );
  }, 240_000);

  it('Edulastic: parallel lessons of a new student under faults end with one login that works and one object per purpose', async () => {
    const paths = [
      '/api/group',
      '/api/enrollment/user',
      '/api/auth/login',
      '/api/user/*',
      '/api/assignments/v2/assign',
    ];
    const scenario = fc.record({
      lessons: fc.integer({ min: 1, max: 4 }),
      faults: fc.array(fc.record({ path: fc.constantFrom(...paths), fault, times: fc.integer({ min: 1, max: 2 }) }), {
        maxLength: 4,
      }),
    });
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const student = await createStudent(t.orm);
        const lessons = await Promise.all(
          DEFAULT_EDULASTIC_TESTS.slice(0, s.lessons).map((test) =>
            createLesson(t.orm, { toolProvider: 'edulastic', vendorId: test.id }),
          ),
        );
        for (const f of s.faults)
          await sandboxControl(t.sandboxes, 'edulastic').fault({ path: f.path, times: f.times, ...f.fault });
        const first = await Promise.all(
          lessons.map((l) => post(ASSIGN, { student: student.sourcedId, lesson: l.sourcedId })),
        );
        for (const r of first) expect(ALLOWED).toContain(r.status);
        await sandboxControl(t.sandboxes, 'edulastic').clearFaults();
        const settled = await Promise.all(lessons.map((l) => settle(student.sourcedId, l.sourcedId)));
        expect(settled.map((r) => r.status)).toEqual(lessons.map(() => 200));
        const credentials = new Set(settled.map((r) => JSON.stringify(r.body.credentials)));
        expect(credentials.size).toBe(1);
        expect(await tools().eduLoginWorks(settled[0].body.credentials)).toBe(true);
        const edu = await tools().eduOf(student.email);
        expect({ users: edu.users.length, assignments: edu.assignments.length }).toEqual({
          users: 1,
          assignments: lessons.length,
        });
        expect(new Set(settled.map((r) => r.body.classId)).size).toBe(lessons.length);
        expect(
          await countRows(t.orm, "tool_logins where student_sourced_id = ? and state = 'ready'", [student.sourcedId]),
        ).toBe(1);
      }),
      { numRuns: RUNS, endOnFailure: true, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
  }, 240_000);
});
