import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { CircuitState } from 'cockatiel';
import { MasteryTrackProvider } from '@external-tests/providers';
import { DEFAULT_MASTERY_TRACK_TESTS } from '@external-tests/sandbox';
import { createLesson, createStudent, LessonFixture, StudentFixture } from '../helpers/fixtures';
import { ledgerRow, resultRow } from '../helpers/rows';
import { sandboxControl } from '../helpers/sandbox-control';
import { createTestApp, TestApp } from '../helpers/test-app';

/**
 * Property: random interleavings of assign (plain, with extra fields, Idempotency-Keys or garbage bodies),
 * assign behind an injected MasteryTrack fault, complete / redeliver (the tool's write-back), import and
 * createNewAttempt, some of them concurrent, keep the invariants of ARCHITECTURE.md §5–6:
 *   1. the app answers no 5xx but 502 / 503 / 504 (garbage bodies: only 400 / 404 / 422);
 *   2. the tool never holds two active assignments for the student, nor more assignments than the attempts
 *      recorded for (student, lesson) — never two tool assignments for one attempt;
 *   3. once faults are cleared, one more assign (retried on 409) is 200 and its attempt's row is `assigned`,
 *      pointing at the tool assignment that writes back to that very row;
 *   4. a result row never goes from `fully graded` back to a lower scoreStatus (nor disappears).
 * FC_SEED / FC_RUNS reproduce or widen a run.
 */

const ASSIGN = '/powerpath/makeExternalTestAssignment';
const NEW_ATTEMPT = '/powerpath/createNewAttempt';
const IMPORT = '/powerpath/importExternalTestAssignmentResults';
const MT_ASSIGN_PATH = '/delivery/assignments/assign';
const MT_TEST = DEFAULT_MASTERY_TRACK_TESTS[0]; // Math G3, supported: the lesson's subject + grade
const ACTIVE = ['ASSIGNED', 'IN_PROGRESS', 'PAUSED'];
const RANK: Record<string, number> = {
  'not submitted': 0,
  submitted: 1,
  'partially graded': 2,
  exempt: 3,
  'fully graded': 4,
};
const NUM_RUNS = Number(process.env.FC_RUNS ?? 35);
const VENDOR_OK_5XX = [502, 503, 504];

// ---------------------------------------------------------------------------------------------- commands

type Fault = { status: 500 | 503 | 429 } | { delayMs: number } | { drop: true };
type AssignVariant =
  | { v: 'plain' }
  | { v: 'extra'; key: string; value: unknown }
  | { v: 'garbageBody'; body: unknown }
  | { v: 'mutated'; field: 'student' | 'lesson'; value: unknown };

type Command =
  | { kind: 'assign'; variant: AssignVariant; idemKey: number | null }
  | { kind: 'assignWithFault'; fault: Fault; times: number; idemKey: number | null }
  | { kind: 'complete'; pick: number; score: number }
  | { kind: 'redeliver'; pick: number; scoreStatus?: string; score?: number; metadata?: Record<string, unknown> }
  | { kind: 'import' }
  | { kind: 'createNewAttempt'; idemKey: number | null };

const idemKey = fc.option(fc.nat({ max: 2 }), { freq: 3 });

const assignVariant: fc.Arbitrary<AssignVariant> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ v: 'plain' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      v: fc.constant('extra' as const),
      key: fc.oneof(
        fc.constantFrom('skipCourseEnrollment', 'applicationName', 'testId', '__proto__', 'constructor', 'attempt'),
        fc.string({ minLength: 1, maxLength: 8 }),
      ),
      value: fc.oneof(fc.boolean(), fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ v: fc.constant('garbageBody' as const), body: fc.oneof(fc.anything(), fc.object()) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      v: fc.constant('mutated' as const),
      field: fc.constantFrom('student' as const, 'lesson' as const),
      value: fc.anything(),
    }),
  },
);

const fault: fc.Arbitrary<Fault> = fc.oneof(
  fc.record({ status: fc.constantFrom(500 as const, 503 as const, 429 as const) }),
  // Longer than VENDOR_TIMEOUT_MS (300): the attempt times out.
  fc.record({ delayMs: fc.integer({ min: 350, max: 700 }) }),
  fc.constant({ drop: true as const }),
);

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('assign' as const), variant: assignVariant, idemKey }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('assignWithFault' as const),
      fault,
      // The app retries an assign up to 3 times: 1 fault is absorbed, 3 make the call fail.
      // (Failing calls count towards the circuit breaker: 5 in a row open it for 10 s, so 3 stays rarer.)
      times: fc.oneof(
        { weight: 6, arbitrary: fc.constant(1) },
        { weight: 2, arbitrary: fc.constant(2) },
        { weight: 1, arbitrary: fc.constant(3) },
      ),
      idemKey,
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
    weight: 2,
    arbitrary: fc.record(
      {
        kind: fc.constant('redeliver' as const),
        pick: fc.nat(),
        scoreStatus: fc.constantFrom(
          'not submitted',
          'submitted',
          'partially graded',
          'fully graded',
          'exempt',
          'bogus',
        ),
        score: fc.integer({ min: 0, max: 100 }),
        metadata: fc.record({ masteryTrackProcessed: fc.boolean() }, { requiredKeys: [] }),
      },
      { requiredKeys: ['kind', 'pick'] },
    ),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'import' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('createNewAttempt' as const), idemKey }) },
);

const scenario = fc.record({
  /** testId: the request names the test; subject: MasteryTrack picks it from the lesson's subject + grade. */
  mode: fc.constantFrom('testId' as const, 'subject' as const),
  commands: fc.array(command, { minLength: 3, maxLength: 12 }),
  /** joins[i]: command i runs concurrently with the one before it (batches of at most 4). */
  joins: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

/** Runs that failed once, replayed first on every run. */
const REGRESSIONS: [Scenario][] = [
  // Seed -1598023495: a call naming a test MasteryTrack does not know timed out, and every later call replayed it.
  [
    {
      mode: 'testId',
      commands: [
        { kind: 'import' },
        {
          kind: 'redeliver',
          pick: 2139193878,
          scoreStatus: 'partially graded',
          metadata: { masteryTrackProcessed: true },
        },
        { kind: 'createNewAttempt', idemKey: 1 },
        {
          kind: 'redeliver',
          pick: 1614292962,
          scoreStatus: 'not submitted',
          score: 30,
          metadata: { masteryTrackProcessed: false },
        },
        { kind: 'assignWithFault', fault: { delayMs: 354 }, times: 3, idemKey: 0 },
        { kind: 'assign', variant: { v: 'extra', key: 'testId', value: "7}vO 'EL:" }, idemKey: 0 },
      ],
      joins: [true, true, false, false, false, true, false, true, false, false, true, false],
    },
  ],
];

function batches(s: Scenario): Command[][] {
  const out: Command[][] = [];
  s.commands.forEach((c, i) => {
    const last = out.at(-1);
    if (i > 0 && s.joins[i] && last && last.length < 4) last.push(c);
    else out.push([c]);
  });
  return out;
}

// ---------------------------------------------------------------------------------------------- the test

interface Answer {
  what: string;
  status: number;
  /** Bodies the app must refuse as the caller's mistake (400 / 404 / 422), never 5xx. */
  garbage?: boolean;
  /** A well-formed assign without key: only 200, 409 or a vendor 5xx make sense. */
  wellFormed?: boolean;
  body?: unknown;
}

interface SandboxAssignment {
  id: number;
  student_email: string;
  status: string;
  assessment_result_sourced_id: string | null;
  assessment_line_item_sourced_id: string | null;
}

interface Row {
  sourced_id: string;
  attempt: number;
  score_status: string;
  assignment_state: string;
  finalized: boolean;
  assignment_id: string | null;
  /** score_date > finalized_at: the assignment flow's T2 wrote the row after it was finalized. */
}

describe('interleavings of assign, faults, write-backs, import and new attempts (property)', () => {
  let t: TestApp;
  let token: string;
  const mt = () => sandboxControl(t.sandboxes, 'masteryTrack');
  const mtHttp = () => request(t.sandboxes.masteryTrack.url);
  const stats = {
    runs: 0,
    commands: 0,
    batches: 0,
    statuses: new Map<string, number>(),
    finalRetries: 0,
    breakerWaits: 0,
  };

  beforeAll(async () => {
    t = await createTestApp({
      VENDOR_TIMEOUT_MS: '300',
      VENDOR_DEADLINE_MS: '1000',
      // A lease left behind by a dropped request expires quickly.
      ASSIGNMENT_LEASE_SECONDS: '5',
      // One client sends every request of every run.
      RATE_LIMIT_PER_MINUTE: '1000000',
    });
    token = await t.token();
  });
  afterEach(() => mt().clearFaults());
  afterAll(async () => {
    if (process.env.FC_STATS) console.log(JSON.stringify({ ...stats, statuses: Object.fromEntries(stats.statuses) }));
    await t.close();
  });

  const mtClient = () => t.app.get(MasteryTrackProvider).vendorHttpClient!;
  const circuitOpen = () => mtClient().circuitState === CircuitState.Open;

  /**
   * The breaker counts consecutive failed tool calls across requests, and most assigns are answered from the
   * row without a tool call, so failures of earlier runs would add up with this run's. One successful call
   * (an unrecorded sandbox read, through the app's own MasteryTrack client) starts each run from zero; when the
   * breaker is open it just fails fast, and the run goes on with it open.
   */
  async function resetBreakerCount(): Promise<void> {
    await mtClient()
      .request({ method: 'GET', path: '/__sandbox/assignments' })
      .catch(() => undefined);
  }

  async function sandboxAssignments(email: string): Promise<SandboxAssignment[]> {
    const res = await mtHttp().get('/__sandbox/assignments').expect(200);
    return (res.body.data as SandboxAssignment[]).filter((a) => a.student_email.toLowerCase() === email.toLowerCase());
  }

  async function rows(student: string, lesson: string): Promise<Row[]> {
    return t.orm.em
      .fork()
      .getConnection()
      .execute<Row[]>(
        `select ar.sourced_id, ar.attempt, ar.score_status, ta.state assignment_state, ar.finalized_at is not null finalized,
              ta.external_id assignment_id
       from tool_assignments ta join assessment_results ar on ar.sourced_id = ta.result_sourced_id
       where ta.lesson_sourced_id = ? and ta.student_sourced_id = ?
       order by ar.attempt`,
        [lesson, student],
      );
  }

  it(
    'keeps one tool assignment per attempt, answers no unexpected 5xx, heals, and never downgrades a result',
    async () => {
      await fc.assert(
        fc.asyncProperty(scenario, async (s) => {
          stats.runs++;
          await mt().clearFaults();
          await resetBreakerCount();
          const student = await createStudent(t.orm);
          const lesson = await createLesson(t.orm);
          const run = new Run(s, student, lesson);
          try {
            for (const batch of batches(s)) {
              stats.batches++;
              stats.commands += batch.length;
              run.log.push(`batch: ${batch.map(label).join(' ‖ ')}`);
              const answers = (await Promise.all(batch.map((c) => run.exec(c)))).flat();
              // A fault whose call never reached the tool (answered from the row) does not linger into later batches.
              await mt().clearFaults();
              for (const a of answers) {
                run.log.push(`  ${a.what} → ${a.status}`);
                const key = `${a.what.split(' ')[0]} ${a.status}`;
                stats.statuses.set(key, (stats.statuses.get(key) ?? 0) + 1);
              }
              run.checkStatuses(answers);
              await run.checkTool();
              await run.checkForwardOnly();
            }
            await mt().clearFaults();
            await run.checkHeals();
            await run.checkTool();
            await run.checkForwardOnly();
          } catch (e) {
            const message = e instanceof Error ? e.message : String(e);
            throw new Error(
              `${message}\n--- mode ${s.mode}, student ${student.sourcedId}, lesson ${lesson.sourcedId}\n${run.log.join('\n')}`,
            );
          }
        }),
        {
          numRuns: NUM_RUNS,
          endOnFailure: true,
          examples: REGRESSIONS,
          ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
        },
      );
    },
    Math.max(85_000, NUM_RUNS * 3_000),
  );

  /** One property run: its student, lesson, key pool, log and what it has seen of the result rows. */
  class Run {
    readonly log: string[] = [];
    private readonly keys = [0, 1, 2].map(() => randomUUID());
    /** Highest scoreStatus rank each result row has been seen at. */
    private readonly seen = new Map<string, { attempt: number; status: string }>();

    constructor(
      private readonly s: Scenario,
      private readonly student: StudentFixture,
      private readonly lesson: LessonFixture,
    ) {}

    private get body(): Record<string, unknown> {
      return {
        student: this.student.sourcedId,
        lesson: this.lesson.sourcedId,
        ...(this.s.mode === 'testId' ? { testId: MT_TEST.timeback_id } : {}),
      };
    }

    private post(path: string, json: unknown, key: number | null) {
      const r = t.http().post(path).set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/json');
      const text = json === undefined ? '' : JSON.stringify(json);
      return (key === null ? r : r.set('Idempotency-Key', this.keys[key])).send(text ?? '');
    }

    async exec(c: Command): Promise<Answer[]> {
      switch (c.kind) {
        case 'assign': {
          const v = c.variant;
          if (v.v === 'plain') {
            const res = await this.post(ASSIGN, this.body, c.idemKey);
            return [
              {
                what: `assign${c.idemKey === null ? '' : ` key${c.idemKey}`}`,
                status: res.status,
                wellFormed: c.idemKey === null,
                body: res.body,
              },
            ];
          }
          if (v.v === 'extra') {
            const body = { ...this.body };
            Object.defineProperty(body, v.key, {
              value: v.value,
              enumerable: true,
              configurable: true,
              writable: true,
            });
            const res = await this.post(ASSIGN, body, c.idemKey);
            return [{ what: `assign+${JSON.stringify(v.key)}`, status: res.status, body: res.body }];
          }
          if (v.v === 'garbageBody') {
            const res = await this.post(ASSIGN, jsonable(v.body), c.idemKey);
            return [{ what: 'assign(garbage body)', status: res.status, garbage: true, body: res.body }];
          }
          const body: Record<string, unknown> = { ...this.body, [v.field]: jsonable(v.value) };
          if (body[v.field] === undefined || body[v.field] === this.body[v.field]) body[v.field] = { not: 'an id' };
          const res = await this.post(ASSIGN, body, c.idemKey);
          return [{ what: `assign(${v.field} mutated)`, status: res.status, garbage: true, body: res.body }];
        }
        case 'assignWithFault': {
          await mt().fault({ method: 'POST', path: MT_ASSIGN_PATH, times: c.times, ...c.fault });
          const res = await this.post(ASSIGN, this.body, c.idemKey);
          return [
            { what: `assignWithFault ${JSON.stringify(c.fault)}×${c.times}`, status: res.status, body: res.body },
          ];
        }
        case 'complete': {
          const active = (await sandboxAssignments(this.student.email)).filter((a) => ACTIVE.includes(a.status));
          if (active.length === 0) return [];
          const a = active[c.pick % active.length];
          const res = await mtHttp()
            .post(`/__sandbox/assignments/${a.id}/complete`)
            .send({
              score: c.score,
              totalQuestions: 20,
              correctQuestions: Math.round(c.score / 5),
              studentSourcedId: this.student.sourcedId,
            });
          if (res.status !== 200) return []; // completed concurrently by another command
          const wb = res.body.data.writeBack;
          return wb
            ? [{ what: `complete #${a.id} (${c.score}): write-back PUT`, status: wb.status, body: wb.body }]
            : [];
        }
        case 'redeliver': {
          const mine = await sandboxAssignments(this.student.email);
          if (mine.length === 0) return [];
          const a = mine[c.pick % mine.length];
          const change = { scoreStatus: c.scoreStatus, score: c.score, metadata: c.metadata };
          const res = await mtHttp().post(`/__sandbox/assignments/${a.id}/redeliver`).send(change);
          if (res.status !== 200) return []; // nothing delivered yet for this assignment
          const wb = res.body.data.writeBack;
          return [
            { what: `redeliver #${a.id} ${JSON.stringify(change)}: write-back PUT`, status: wb.status, body: wb.body },
          ];
        }
        case 'import': {
          const res = await t
            .http()
            .get(IMPORT)
            .set('Authorization', `Bearer ${token}`)
            .query({ student: this.student.sourcedId, lesson: this.lesson.sourcedId });
          return [{ what: 'import', status: res.status, body: res.body }];
        }
        case 'createNewAttempt': {
          const res = await this.post(
            NEW_ATTEMPT,
            { student: this.student.sourcedId, lesson: this.lesson.sourcedId },
            c.idemKey,
          );
          return [
            {
              what: `createNewAttempt${c.idemKey === null ? '' : ` key${c.idemKey}`}`,
              status: res.status,
              body: res.body,
            },
          ];
        }
      }
    }

    /** Invariant 1. */
    checkStatuses(answers: Answer[]): void {
      for (const a of answers) {
        const body = JSON.stringify(a.body)?.slice(0, 400);
        if (a.status === 0) throw new Error(`invariant 1: ${a.what} never reached the app: ${body}`);
        if (a.status >= 500 && !VENDOR_OK_5XX.includes(a.status))
          throw new Error(`invariant 1: ${a.what} answered ${a.status}: ${body}`);
        if (a.garbage && ![400, 404, 422].includes(a.status))
          throw new Error(`invariant 1: ${a.what} answered ${a.status} (expected 400/404/422): ${body}`);
        if (a.wellFormed && ![200, 409, ...VENDOR_OK_5XX].includes(a.status) && !this.testUsedUp(a)) {
          throw new Error(`invariant 1: well-formed ${a.what} answered ${a.status}: ${body}`);
        }
      }
    }

    /** Subject mode: MasteryTrack has no Math G3 test left once the student completed the only one (its 404 → our 422). */
    private testUsedUp(a: Answer): boolean {
      return this.s.mode === 'subject' && a.status === 422 && JSON.stringify(a.body).includes('TEST_NOT_FOUND');
    }

    /** Invariant 2. */
    async checkTool(): Promise<void> {
      const tool = await sandboxAssignments(this.student.email);
      const active = tool.filter((a) => ACTIVE.includes(a.status));
      if (active.length > 1)
        throw new Error(`invariant 2: the tool holds ${active.length} active assignments: ${JSON.stringify(active)}`);
      const attempts = new Set((await rows(this.student.sourcedId, this.lesson.sourcedId)).map((r) => r.attempt)).size;
      if (tool.length > attempts) {
        throw new Error(
          `invariant 2: ${tool.length} tool assignments for ${attempts} attempts: ${JSON.stringify(tool)}\nrows: ${JSON.stringify(await rows(this.student.sourcedId, this.lesson.sourcedId))}`,
        );
      }
    }

    /**
     * Invariant 4, between snapshots and within them: a finalized MasteryTrack row was `fully graded` when it was
     * finalized, so one that is finalized and lower went back.
     */
    async checkForwardOnly(): Promise<void> {
      const now = await rows(this.student.sourcedId, this.lesson.sourcedId);
      const byId = new Map(now.map((r) => [r.sourced_id, r]));
      for (const r of now) {
        if (r.finalized && RANK[r.score_status] < RANK['fully graded']) {
          throw new Error(
            `invariant 4: result ${r.sourced_id} (attempt ${r.attempt}) is finalized but '${r.score_status}'\nrows: ${JSON.stringify(now)}`,
          );
        }
      }
      for (const [id, before] of this.seen) {
        const after = byId.get(id);
        if (before.status === 'fully graded' && (!after || RANK[after.score_status] < RANK[before.status])) {
          throw new Error(
            `invariant 4: result ${id} (attempt ${before.attempt}) went from 'fully graded' to ${after ? `'${after.score_status}'` : 'deleted'}\nrows: ${JSON.stringify(now)}`,
          );
        }
      }
      for (const r of now) {
        const before = this.seen.get(r.sourced_id);
        if (!before || RANK[r.score_status] >= RANK[before.status])
          this.seen.set(r.sourced_id, { attempt: r.attempt, status: r.score_status });
      }
    }

    /** Invariant 3. */
    async checkHeals(): Promise<void> {
      let res: request.Response | undefined;
      for (let i = 0; i < 10; i++) {
        res = await this.post(ASSIGN, this.body, null);
        const circuitOpenAnswer = res.status === 503 && circuitOpen();
        // 409: a live lease; 503 with the breaker open: this run's own faults tripped it, it half-opens after 10 s.
        if (res.status !== 409 && !circuitOpenAnswer) break;
        if (circuitOpenAnswer) stats.breakerWaits++;
        else stats.finalRetries++;
        const wait = Math.min(Number(res.headers['retry-after'] ?? 1), circuitOpenAnswer ? 11 : 6);
        this.log.push(`final assign → ${res.status}, waiting ${wait} s`);
        await sleep(wait * 1000);
      }
      this.log.push(`final assign → ${res!.status} ${JSON.stringify(res!.body)}`);
      const tool = await sandboxAssignments(this.student.email);
      if (this.s.mode === 'subject' && res!.status === 422 && tool.some((a) => a.status === 'COMPLETED')) return; // see testUsedUp
      if (res!.status !== 200)
        throw new Error(`invariant 3: the final assign answered ${res!.status}: ${JSON.stringify(res!.body)}`);
      const { attempt, assignmentId } = res!.body as { attempt: number; assignmentId: string };
      const row = await resultRow(t.orm, this.student.sourcedId, this.lesson.sourcedId, attempt);
      const ledger = row && (await ledgerRow(t.orm, row.sourced_id));
      if (ledger?.state !== 'assigned' || ledger.external_id !== assignmentId) {
        throw new Error(`invariant 3: the ledger of attempt ${attempt} is ${JSON.stringify(ledger)}`);
      }
      if (row.metadata?.assignmentId !== assignmentId) {
        throw new Error(
          `invariant 3: attempt ${attempt} answered assignment ${assignmentId} but its row stores ${row.metadata?.assignmentId}`,
        );
      }
      const own = tool.find((a) => String(a.id) === assignmentId);
      if (
        !own ||
        !ACTIVE.includes(own.status) ||
        own.assessment_result_sourced_id !== row.sourced_id ||
        own.assessment_line_item_sourced_id !== row.line_item_sourced_id
      ) {
        throw new Error(
          `invariant 3: tool assignment ${assignmentId} would not write back to the row of attempt ${attempt} (${row.sourced_id}): ${JSON.stringify(own)}`,
        );
      }
    }
  }
});

/** What JSON.stringify can carry (fc.anything() may yield undefined at the top). */
function jsonable(value: unknown): unknown {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return null;
  }
}

function label(c: Command): string {
  switch (c.kind) {
    case 'assign':
      return `assign(${c.variant.v}${c.idemKey === null ? '' : `, key${c.idemKey}`})`;
    case 'assignWithFault':
      return `assignWithFault(${JSON.stringify(c.fault)}×${c.times}${c.idemKey === null ? '' : `, key${c.idemKey}`})`;
    case 'complete':
      return `complete(${c.score})`;
    case 'redeliver':
      return `redeliver(${c.scoreStatus ?? '-'}, ${c.score ?? '-'}, ${JSON.stringify(c.metadata ?? {})})`;
    default:
      return c.kind + ('idemKey' in c && c.idemKey !== null ? `(key${c.idemKey})` : '');
  }
}
