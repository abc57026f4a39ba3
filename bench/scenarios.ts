/**
 * The benchmark's scenarios: what each one sends, how it warms up, and the data it needs (seeded here, on a
 * connection of its own, so it is never counted). run.ts runs them.
 */
import type { Client } from 'pg';
import { DEFAULT_EDULASTIC_TESTS } from '@external-tests/sandbox';
import type { ReferenceInit, RequestPlan } from './load-types';
import { assignedPairs, seedAssignedResults, seedLesson, seedStudents, seedTrack } from './seed';

export const WARMUP = 5;
/**
 * Then waves of the scenario's own requests at its full concurrency, not measured: the database pool, the tool
 * client's keep-alive sockets and each connection's prepared statements reach the size the load keeps them at, as
 * in a service that is already serving. The waves' latencies are reported apart (`warmupWaves`; both waves in one
 * figure: the first carries the cold burst).
 */
export const WARM_WAVES = 2;
/**
 * Students (or results) a scenario's warm-up waves use, after its WARMUP sequential ones. autocannon builds one
 * request more than it sends, so the waves' plan wraps once onto an index it never sends (harmless).
 */
export const waveRequests = (connections: number) => WARM_WAVES * connections;
/** Connections of the scenarios without a tool latency and of scenario 6; of the 200-caller ones (5, N, P1, P2, T1). */
const CONNECTIONS = 32;
const CROWD = 200;

export interface Scenario {
  id: string;
  title: string;
  connections: number;
  /** Sandbox latency for this scenario (both tools). */
  vendorLatencyMs: number;
  /** Route the scenario exercises (requests counted by the probe are all of this route once warm). */
  route: string;
  plan(): Promise<RequestPlan> | RequestPlan;
  /** A few sequential requests to `url` outside the measurement (vendor tokens, JWKS, classes, JIT). */
  warmup(url: string): Promise<void>;
  /** The requests of the warm-up waves (WARM_WAVES × connections of them): the plan's kind, on its own students. */
  warmupPlan(): Promise<RequestPlan> | RequestPlan;
  /** A reference served by another process (bare node:http, the naive flow): the load goes there instead. */
  reference?: ReferenceInit;
  /** Served by `npm run start:prod` in processes of its own with this many workers (WEB_CONCURRENCY). */
  startProd?: number;
  /** start:prod with OpenTelemetry on, exporting to a throwaway OTLP receiver in this process. */
  tracing?: boolean;
  /**
   * Measure the bare node:http floor again just before this scenario (a CPU target's scenario): its CPU is then
   * read against the floor of the same minute, not only against R's at the start of a run the host drifts through.
   */
  adjacentFloor?: boolean;
}

/** What the scenarios need from the harness. */
export interface ScenarioContext {
  db: Client;
  /** The in-process app. */
  baseUrl: string;
  token: string;
  durationSeconds: number;
  /** How the naive reference (N) reaches the database and MasteryTrack's account. */
  naive: { databaseUrl: string; mtApiKey: string; mtEmail: string };
}

/** Seeds every scenario's data (pools sized for the duration) and returns the scenarios in order. */
export async function prepareScenarios(ctx: ScenarioContext): Promise<Scenario[]> {
  const { db, baseUrl, token } = ctx;
  const t0 = Date.now();
  // Pool sizes: comfortably above the rate each scenario could reach, so no student or result is used twice.
  const pool = (perSecond: number) => Math.max(2000, Math.ceil(perSecond * ctx.durationSeconds));
  const mtLesson = (id: string, grade: string): Parameters<typeof seedLesson>[1] => ({
    id,
    toolProvider: 'mastery-track',
    lessonType: 'test-out',
    subject: 'Math',
    grades: [grade],
  });

  // The students each assign scenario uses (measured, sequential warm-up, waves), seeded once the list is built.
  const students: { prefix: string; count: number }[] = [];
  const assignScenario = (
    id: string,
    title: string,
    lesson: string,
    prefix: string,
    count: number,
    connections: number,
    vendorLatencyMs: number,
  ): Scenario => {
    students.push({ prefix, count: count + WARMUP + waveRequests(connections) });
    return {
      id,
      title,
      connections,
      vendorLatencyMs,
      route: 'POST /powerpath/makeExternalTestAssignment',
      plan: () => ({ kind: 'assign', lesson, students: { prefix, offset: 0, count } }),
      warmupPlan: () => ({
        kind: 'assign',
        lesson,
        students: { prefix, offset: count + WARMUP, count: waveRequests(connections) },
      }),
      warmup: async (url) => {
        for (let i = 0; i < WARMUP; i++)
          await expectOk(assign(url, token, `${prefix}${count + i}`, lesson), 'warm-up assignment');
      },
    };
  };

  const n1 = pool(2500);
  const n2 = pool(1500);
  const n4 = pool(2500);
  const n5 = pool(1200);
  const n6 = pool(300);
  await seedLesson(db, mtLesson('bench-mt-1', '4'));
  await seedLesson(db, {
    id: 'bench-edu-2',
    toolProvider: 'edulastic',
    lessonType: 'unit-test',
    subject: 'Math',
    grades: ['3'],
    vendorId: DEFAULT_EDULASTIC_TESTS[0].id,
  });
  // Write-back: assigned MasteryTrack test-outs; a score of 95 masters grade 4, so each one finalizes and enrols in grade 5.
  await seedLesson(db, mtLesson('bench-mt-4', '4'));
  await seedAssignedResults(db, {
    lesson: 'bench-mt-4',
    lineItem: 'bench-li-4',
    resultPrefix: 'bench-r4-',
    studentPrefix: 'bench-s4-',
    count: n4 + WARMUP + waveRequests(CONNECTIONS),
  });
  await seedTrack(db, 'Math', '5');
  await seedLesson(db, mtLesson('bench-mt-5', '5'));
  await seedLesson(db, mtLesson('bench-mt-6', '6'));
  let repeatPairs: [string, string][] = [];
  const writeBackPlan = (offset: number, count: number): RequestPlan => ({
    kind: 'writeBack',
    resultPrefix: 'bench-r4-',
    studentPrefix: 'bench-s4-',
    lineItem: 'bench-li-4',
    offset,
    count,
    score: 95,
  });
  const scenarios: Scenario[] = [
    {
      id: 'R',
      title: 'reference: bare node:http, small JSON (own process)',
      connections: CONNECTIONS,
      vendorLatencyMs: 0,
      route: 'GET /',
      plan: () => ({ kind: 'get', path: '/' }),
      warmupPlan: () => ({ kind: 'get', path: '/' }),
      warmup: () => Promise.resolve(),
      reference: { kind: 'bare' },
    },
    {
      ...assignScenario('1', 'assign, MasteryTrack, new student', 'bench-mt-1', 'bench-s1-', n1, CONNECTIONS, 0),
      adjacentFloor: true,
    },
    assignScenario('2', 'assign, Edulastic, new student', 'bench-edu-2', 'bench-s2-', n2, CONNECTIONS, 0),
    {
      id: '3',
      title: 'assign, repeat call (already assigned)',
      connections: CONNECTIONS,
      adjacentFloor: true,
      vendorLatencyMs: 0,
      route: 'POST /powerpath/makeExternalTestAssignment',
      plan: () => {
        if (repeatPairs.length === 0) throw new Error('no assigned pairs to repeat');
        return { kind: 'repeat', pairs: repeatPairs };
      },
      warmupPlan: () => ({ kind: 'repeat', pairs: repeatPairs }),
      warmup: async () => {
        // Repeat the assignments scenario 1 made (or make a few here when it did not run).
        repeatPairs = await assignedPairs(db, 'bench-mt-1', 2000);
        if (repeatPairs.length === 0) {
          for (let i = 0; i < 200; i++)
            await expectOk(assign(baseUrl, token, `bench-s1-${i}`, 'bench-mt-1'), 'repeat seed');
          repeatPairs = await assignedPairs(db, 'bench-mt-1', 2000);
        }
        for (let i = 0; i < WARMUP; i++)
          await expectOk(assign(baseUrl, token, ...repeatPairs[i % repeatPairs.length]), 'warm-up repeat');
      },
    },
    {
      id: '4',
      title: 'write-back PUT assessmentResult (MasteryTrack)',
      connections: CONNECTIONS,
      adjacentFloor: true,
      vendorLatencyMs: 0,
      route: 'PUT /ims/oneroster/gradebook/v1p2/assessmentResults/{id}',
      plan: () => writeBackPlan(0, n4),
      warmupPlan: () => writeBackPlan(n4 + WARMUP, waveRequests(CONNECTIONS)),
      warmup: async () => {
        for (let i = 0; i < WARMUP; i++) await expectOk(writeBack(baseUrl, token, n4 + i), 'warm-up write-back');
      },
    },
    assignScenario(
      '5',
      'assign, MasteryTrack, vendor 200 ms, 200 conns, pool 10',
      'bench-mt-5',
      'bench-s5-',
      n5,
      CROWD,
      200,
    ),
    {
      ...assignScenario(
        'N',
        'naive flow (transaction held across the tool call), vendor 200 ms, 200 conns, pool 10',
        'bench-mt-5',
        'bench-sN-',
        n5,
        CROWD,
        200,
      ),
      reference: { kind: 'naive', masteryTrackUrl: '', ...ctx.naive },
      warmup: () => Promise.resolve(),
    },
    assignScenario(
      '6',
      'assign, MasteryTrack, vendor 200 ms, 32 conns',
      'bench-mt-6',
      'bench-s6-',
      n6,
      CONNECTIONS,
      200,
    ),
    {
      ...assignScenario('P1', 'npm run start:prod, 1 worker: scenario 5', 'bench-mt-5', 'bench-sP1-', n5, CROWD, 200),
      startProd: 1,
    },
    {
      ...assignScenario('P2', 'WEB_CONCURRENCY=2 start:prod: scenario 5', 'bench-mt-5', 'bench-sP2-', n5, CROWD, 200),
      startProd: 2,
    },
    {
      ...assignScenario(
        'T1',
        'start:prod, 1 worker, tracing on: scenario 5',
        'bench-mt-5',
        'bench-sT1-',
        n5,
        CROWD,
        200,
      ),
      startProd: 1,
      tracing: true,
    },
  ];
  for (const { prefix, count } of students) await seedStudents(db, prefix, count);
  await db.query('analyze');
  console.log(
    `seeded ${students.reduce((sum, x) => sum + x.count, 0)} students for assignments, ` +
      `${n4 + WARMUP + waveRequests(CONNECTIONS)} assigned results in ${Date.now() - t0} ms`,
  );
  return scenarios;
}

export function assign(baseUrl: string, token: string, student: string, lesson: string): Promise<Response> {
  return fetch(`${baseUrl}/powerpath/makeExternalTestAssignment`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ student, lesson }),
  });
}

/** The same body load-worker.ts sends for write-backs. */
export function writeBack(baseUrl: string, token: string, idx: number): Promise<Response> {
  const sourcedId = `bench-r4-${idx}`;
  return fetch(`${baseUrl}/ims/oneroster/gradebook/v1p2/assessmentResults/${sourcedId}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      assessmentResult: {
        sourcedId,
        status: 'active',
        assessmentLineItem: { sourcedId: 'bench-li-4' },
        student: { sourcedId: `bench-s4-${idx}` },
        score: 95,
        scoreDate: new Date().toISOString(),
        scoreStatus: 'fully graded',
        metadata: {
          masteryTrackProcessed: true,
          totalQuestions: 20,
          correctQuestions: 19,
          assignmentId: String(100000 + idx),
        },
      },
    }),
  });
}

export async function expectOk(pending: Promise<Response>, what: string): Promise<void> {
  const res = await pending;
  const text = await res.text();
  if (res.status < 200 || res.status >= 300)
    throw new Error(`${what} failed: HTTP ${res.status} ${text.slice(0, 500)}`);
}
