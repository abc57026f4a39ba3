/** Messages between run.ts and load-worker.ts. */

export type RequestPlan =
  | { kind: 'get'; path: string }
  /** A new student per request: `${prefix}${offset + i}` for i in [0, count). */
  | { kind: 'assign'; lesson: string; students: { prefix: string; offset: number; count: number } }
  /** Repeat calls: (student, lesson) pairs that are already assigned, cycled. */
  | { kind: 'repeat'; pairs: [string, string][] }
  /** MasteryTrack write-backs: result `${resultPrefix}${offset + i}` of student `${studentPrefix}${offset + i}`. */
  | {
      kind: 'writeBack';
      resultPrefix: string;
      studentPrefix: string;
      lineItem: string;
      offset?: number;
      count: number;
      score: number;
    };

export interface LoadJob {
  url: string;
  token: string;
  connections: number;
  durationSeconds: number;
  /** Send this many requests, then stop (instead of running for `durationSeconds`): the warm-up waves. */
  amount?: number;
  /**
   * Run this many seconds before `durationSeconds`, not counted in the latencies, throughput and status codes
   * (autocannon opens every connection at once: the window would start with that lockstep burst).
   */
  rampSeconds?: number;
  timeoutSeconds: number;
  plan: RequestPlan;
}

export interface LoadResult {
  durationSeconds: number;
  requestsPerSecond: number;
  /** Responses in the window (after the ramp). */
  completed: number;
  /** Over the whole run, ramp included: requests sent, responses received (errors and timeouts are too). */
  sent: number;
  completedWholeRun: number;
  latencyMs: { p50: number; p90: number; p99: number; mean: number; max: number };
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  poolWrapped: boolean;
  indicesUsed: number;
}

export type WorkerReply = { ok: true; result: LoadResult } | { ok: false; error: string };

/** What sandbox-worker.ts needs to start both tools. */
export interface SandboxWorkerInit {
  mtApiKey: string;
  mtEmail: string;
  eduUser: string;
  eduPassword: string;
}

/** What reference-worker.ts serves: the bare node:http floor, or the naive assignment flow. */
export type ReferenceInit =
  | { kind: 'bare' }
  | { kind: 'naive'; databaseUrl: string; masteryTrackUrl: string; mtApiKey: string; mtEmail: string };
