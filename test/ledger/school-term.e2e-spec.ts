import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { RecoveryPoint } from '@external-tests/assignments';
import {
  DEFAULT_EDULASTIC_TESTS,
  MasteryTrackSandboxOptions,
  MasteryTrackSandboxTest,
  startSandboxes,
} from '@external-tests/sandbox';
import { createLesson, createStudent, LessonFixture, StudentFixture } from '../helpers/fixtures';
import { countRows } from '../helpers/rows';
import { sandboxControl } from '../helpers/sandbox-control';
import {
  createTestApp,
  EDU_PASSWORD,
  EDU_USER,
  MT_API_KEY,
  MT_EMAIL,
  Sandboxes,
  TestApp,
  writeBackTo,
} from '../helpers/test-app';
import { toolState } from '../helpers/tool-state';
import { TOOL_RECOVERY_POINTS } from '../helpers/recovery-points';

/**
 * Issue 9 "school term": 20 students × 6 lessons (both tools; two Math G4 lessons and a Reading G4 one on
 * MasteryTrack, three Edulastic tests) × 2 attempts, with random tool faults, slow calls and requests that die
 * at random recovery points. It must end with exactly one tool assignment per (student, lesson, attempt), every
 * result in its own row, and every login working. SEED reproduces a run.
 */
const SEED = Number(process.env.TERM_SEED ?? 20261129);
const STUDENTS = 20;
const LEASE_SECONDS = 5;
const ROUTE = '/powerpath/makeExternalTestAssignment';
const POINTS: Record<string, RecoveryPoint[]> = TOOL_RECOVERY_POINTS;

/** Enough forms that two lessons of one subject and grade can each be taken twice. */
function inventory(): MasteryTrackSandboxTest[] {
  const form = (subject: string, n: number): MasteryTrackSandboxTest => ({
    timeback_id: `_${subject.toLowerCase().padEnd(8, 'x')}${String(n).padStart(16, '0')}`,
    name: `Term ${subject} G4 form ${n}`,
    subject,
    grade: 'Fourth Grade',
    grade_rank: 4,
    questionCount: 10,
  });
  return [...[1, 2, 3, 4, 5, 6].map((n) => form('Math', n)), ...[1, 2, 3].map((n) => form('Reading', n))];
}

/** A small seeded generator (mulberry32): integers in [0, max). */
function seeded(seed: number): (max: number) => number {
  let a = seed >>> 0;
  return (max) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return Math.floor((((x ^ (x >>> 14)) >>> 0) / 4294967296) * max);
  };
}

interface Lesson {
  fixture: LessonFixture;
  tool: 'mastery-track' | 'edulastic';
}

describe('a school term', () => {
  let t: TestApp;
  let sandboxes: Sandboxes;
  let token: string;
  const int = seeded(SEED);
  /**
   * First requests armed to die at a point, by student:lesson:attempt. Only a cell's first request may die: an
   * entry its first request did not reach is disarmed before anyone retries that cell (a retry parked at the gate
   * would wait for the end of the phase, which waits for it).
   */
  const crashes = new Map<
    string,
    { point: RecoveryPoint; reached: boolean; disarmed: boolean; die: () => void; gate: Promise<never> }
  >();

  beforeAll(async () => {
    const masteryTrack: MasteryTrackSandboxOptions = {
      apiKey: MT_API_KEY,
      integratorEmails: [MT_EMAIL],
      tests: inventory(),
    };
    sandboxes = await startSandboxes({
      masteryTrack,
      edulastic: { accounts: [{ username: EDU_USER, password: EDU_PASSWORD }] },
    });
    t = await createTestApp(
      {
        ASSIGNMENT_LEASE_SECONDS: String(LEASE_SECONDS),
        VENDOR_TIMEOUT_MS: '1000',
        VENDOR_DEADLINE_MS: '2000',
        RATE_LIMIT_PER_MINUTE: '1000000',
      },
      { sandboxes },
    );
    masteryTrack.writeBack = writeBackTo(t);
    token = await t.token();
    t.recoveryPoints.current = async (point, at) => {
      const crash = crashes.get(`${at.studentSourcedId}:${at.lessonSourcedId}:${at.attempt}`);
      if (!crash || crash.point !== point || crash.reached || crash.disarmed) return;
      crash.reached = true;
      await crash.gate;
    };
  });
  afterAll(async () => {
    await t.close();
    await sandboxes.close();
  });

  const assign = (student: string, lesson: string) =>
    t.http().post(ROUTE).set('Authorization', `Bearer ${token}`).send({ student, lesson });

  /** As a client retries: 409 and the tool's 5xx are retried after Retry-After; anything else is final. */
  async function settle(student: string, lesson: string): Promise<request.Response> {
    for (let i = 0; ; i++) {
      const res = await assign(student, lesson);
      if (![409, 502, 503, 504].includes(res.status) || i === 40) return res;
      await sleep(Math.min(Number(res.headers['retry-after'] ?? 0.3), 5) * 1000);
    }
  }

  /** Random faults at both tools for the next calls (each taken by whichever request comes first). */
  async function injectFaults(): Promise<void> {
    const paths = [
      ['masteryTrack', 'POST', '/delivery/assignments/assign'],
      ['edulastic', 'POST', '/api/group'],
      ['edulastic', 'POST', '/api/enrollment/user'],
      ['edulastic', 'POST', '/api/auth/login'],
      ['edulastic', 'POST', '/api/assignments/v2/assign'],
    ] as const;
    const kinds = [{ status: 500 }, { status: 503 }, { delayMs: 1200 }, { delayMs: 300 }, { drop: true }];
    for (let i = 0; i < 6; i++) {
      const [tool, method, path] = paths[int(paths.length)];
      await sandboxControl(sandboxes, tool).fault({ method, path, ...kinds[int(kinds.length)] });
    }
  }

  async function phase(attempt: number, students: StudentFixture[], lessons: Lesson[]) {
    const answers = new Map<string, request.Response>();
    await injectFaults();
    // Every 7th (student, lesson) dies at a random recovery point on its first request.
    for (const [i, s] of students.entries()) {
      for (const [j, l] of lessons.entries()) {
        if ((i * lessons.length + j) % 7 !== attempt) continue;
        const points = POINTS[l.tool];
        let die!: () => void;
        const gate = new Promise<never>((_, reject) => (die = () => reject(new Error('the process died here'))));
        gate.catch(() => undefined);
        crashes.set(`${s.sourcedId}:${l.fixture.sourcedId}:${attempt}`, {
          point: points[int(points.length)],
          reached: false,
          disarmed: false,
          die,
          gate,
        });
      }
    }
    const answered = new Set<string>();
    const first = students.flatMap((s) =>
      lessons.map((l) => {
        const cell = `${s.sourcedId}:${l.fixture.sourcedId}:${attempt}`;
        return assign(s.sourcedId, l.fixture.sourcedId).then(
          () => answered.add(cell),
          () => answered.add(cell),
        );
      }),
    );
    let died = 0;
    try {
      // Retries start once every first request has answered or is parked at its point (however slow the machine;
      // every wait in the flow is bounded by its deadline, and the bound here only keeps a defect from hanging).
      const cells = students.flatMap((s) => lessons.map((l) => `${s.sourcedId}:${l.fixture.sourcedId}:${attempt}`));
      const until = Date.now() + 120_000;
      while (cells.some((c) => !answered.has(c) && !crashes.get(c)?.reached) && Date.now() < until) await sleep(50);
      for (const c of crashes.values()) c.disarmed = !c.reached;
      for (let i = 0; i < students.length; i += 5) {
        await Promise.all(
          students.slice(i, i + 5).flatMap((s) =>
            lessons.map(async (l) => {
              const res = await settle(s.sourcedId, l.fixture.sourcedId);
              answers.set(`${s.sourcedId}:${l.fixture.sourcedId}`, res);
            }),
          ),
        );
      }
      died = [...crashes.values()].filter((c) => c.reached).length;
    } finally {
      for (const c of crashes.values()) c.die();
      crashes.clear();
    }
    // The run is only worth something if requests really died (points after a lesson's first class are rarer).
    expect(died).toBeGreaterThanOrEqual(5);
    await Promise.all(first);
    await sandboxControl(sandboxes, 'masteryTrack').clearFaults();
    await sandboxControl(sandboxes, 'edulastic').clearFaults();
    for (const [key, res] of answers) {
      if (res.status !== 200 || res.body.attempt !== attempt)
        throw new Error(`${key} attempt ${attempt}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    return answers;
  }

  /** The students take every test of the attempt; results come back by write-back (MasteryTrack) or import (Edulastic). */
  async function takeTests(
    students: StudentFixture[],
    lessons: Lesson[],
    answers: Map<string, request.Response>,
    score: (s: number, l: number) => number,
  ) {
    for (const [i, s] of students.entries()) {
      await Promise.all(
        lessons.map(async (l, j) => {
          const a = answers.get(`${s.sourcedId}:${l.fixture.sourcedId}`)!.body;
          if (l.tool === 'mastery-track') {
            expect((await toolState(sandboxes).mtComplete(a.assignmentId, s.sourcedId, score(i, j))).status).toBe(201);
          } else {
            const questions = DEFAULT_EDULASTIC_TESTS[j - 3].questionCount;
            await toolState(sandboxes).eduSubmit(
              a.assignmentId,
              s.email,
              Array.from({ length: questions }, (_, q) => (q < (questions * score(i, j)) / 100 ? 1 : 0)),
            );
            const imported = await t
              .http()
              .get('/powerpath/importExternalTestAssignmentResults')
              .set('Authorization', `Bearer ${token}`)
              .query({ student: s.sourcedId, lesson: l.fixture.sourcedId });
            expect(imported.body.finalized).toBe(true);
          }
        }),
      );
    }
  }

  it('ends with one tool assignment per (student, lesson, attempt), every result its own row, every login working', async () => {
    const students = await Promise.all(Array.from({ length: STUDENTS }, () => createStudent(t.orm)));
    const lessons: Lesson[] = [
      {
        tool: 'mastery-track',
        fixture: await createLesson(t.orm, { lessonType: 'unit-test', subject: 'Math', grades: ['4'] }),
      },
      {
        tool: 'mastery-track',
        fixture: await createLesson(t.orm, { lessonType: 'unit-test', subject: 'Math', grades: ['4'] }),
      },
      {
        tool: 'mastery-track',
        fixture: await createLesson(t.orm, { lessonType: 'unit-test', subject: 'Reading', grades: ['4'] }),
      },
    ];
    for (const test of DEFAULT_EDULASTIC_TESTS.slice(0, 3)) {
      lessons.push({
        tool: 'edulastic',
        fixture: await createLesson(t.orm, { toolProvider: 'edulastic', lessonType: 'unit-test', vendorId: test.id }),
      });
    }

    const term1 = await phase(1, students, lessons);
    await takeTests(students, lessons, term1, (i, j) => (i * 7 + j * 13) % 101);
    const term2 = await phase(2, students, lessons);
    await takeTests(students, lessons, term2, (i, j) => (i * 11 + j * 5) % 101);

    const cells = STUDENTS * lessons.length * 2;
    const ledger = await t.orm.em
      .fork()
      .getConnection()
      .execute<{ state: string; n: number; external: number; results: number }[]>(
        `select state, count(*)::int n, count(distinct external_id)::int external, count(distinct result_sourced_id)::int results
       from tool_assignments where student_sourced_id in (?) group by state`,
        [students.map((s) => s.sourcedId)],
      );
    expect(ledger).toEqual([{ state: 'assigned', n: cells, external: cells, results: cells }]);
    expect(
      await countRows(
        t.orm,
        'assessment_results ar join tool_assignments ta on ta.result_sourced_id = ar.sourced_id where ta.student_sourced_id in (?) and ar.finalized_at is not null',
        [students.map((s) => s.sourcedId)],
      ),
    ).toBe(cells);

    const mt = await request(sandboxes.masteryTrack.url).get('/__sandbox/assignments').expect(200);
    const edu = await toolState(sandboxes).edu();
    const rows = await t.orm.em
      .fork()
      .getConnection()
      .execute<
        {
          student_sourced_id: string;
          lesson_sourced_id: string;
          attempt: number;
          result_sourced_id: string;
          external_id: string;
          class_id: string | null;
        }[]
      >('select * from tool_assignments where student_sourced_id in (?)', [students.map((s) => s.sourcedId)]);
    const byExternal = new Map(rows.map((r) => [r.external_id, r]));
    // MasteryTrack: exactly the assignments the ledger records, each writing back to its own attempt's result.
    const mtMine = (
      mt.body.data as { id: number; assessment_result_sourced_id: string; student_email: string }[]
    ).filter((a) => students.some((s) => s.email === a.student_email));
    expect(mtMine).toHaveLength(STUDENTS * 3 * 2);
    for (const a of mtMine)
      expect(byExternal.get(String(a.id))?.result_sourced_id).toBe(a.assessment_result_sourced_id);
    // Edulastic: one user per student, one class per (lesson, attempt) for the whole term, the recorded assignments only.
    expect(edu.students).toHaveLength(STUDENTS);
    expect(edu.classes).toHaveLength(3 * 2);
    expect(edu.assignments).toHaveLength(STUDENTS * 3 * 2);
    for (const a of edu.assignments) expect(byExternal.get(a._id)?.class_id).toBe(a.class[0]._id);
    for (const s of students) {
      const credentials = term2.get(`${s.sourcedId}:${lessons[3].fixture.sourcedId}`)!.body.credentials;
      expect(await toolState(sandboxes).eduLoginWorks(credentials)).toBe(true);
    }
  }, 240_000);
});
