import type { Request, RequestHandler } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import { isNonEmptyString, isPlainObject, toInteger } from './body';

/** A fault the next matching request(s) get instead of the real handler. */
export interface FaultSpec {
  method?: string;
  /** Full request path as the client sends it; a trailing `*` makes it a prefix. */
  path: string;
  status?: number;
  body?: unknown;
  delayMs?: number;
  /** How many matching requests it applies to (default 1). */
  times?: number;
  /** Destroy the socket without answering. */
  drop?: boolean;
  /** Do the work, then destroy the socket instead of answering: the tool acted, the caller never hears of it. */
  loseAnswer?: boolean;
}

/** One non-control request; status 0 means no response was sent (dropped connection or still in flight). */
export interface RecordedCall {
  method: string;
  path: string;
  status: number;
  /** From the request's arrival to its answer (or hang-up), as the tool saw it; absent while in flight. */
  ms?: number;
}

interface QueuedFault extends FaultSpec {
  remaining: number;
}

/** Latency, failure injection and the call log of one sandbox (shared by both tools). */
export class SandboxFaults {
  latencyMs: number;
  readonly calls: RecordedCall[] = [];
  private queued: QueuedFault[] = [];

  constructor(
    private readonly configuredLatencyMs: number,
    /** The tool's own error body for an injected status without an explicit body. */
    private readonly defaultBody: (status: number) => unknown,
  ) {
    this.latencyMs = configuredLatencyMs;
  }

  queue(spec: FaultSpec): void {
    this.queued.push({ ...spec, remaining: spec.times ?? 1 });
  }

  clearFaults(): number {
    const count = this.queued.length;
    this.queued = [];
    return count;
  }

  reset(): void {
    this.clearFaults();
    this.calls.length = 0;
    this.latencyMs = this.configuredLatencyMs;
  }

  /** Must run before any route; requests under `controlPrefix` pass untouched and unrecorded. */
  middleware(controlPrefix: string): RequestHandler {
    return async (req, res, next) => {
      if (req.path === controlPrefix || req.path.startsWith(`${controlPrefix}/`)) return next();
      const arrivedAt = performance.now();
      const call: RecordedCall = { method: req.method, path: req.path, status: 0 };
      this.calls.push(call);
      res.once('finish', () => {
        call.status = res.statusCode;
      });
      res.once('close', () => {
        call.ms = Math.round((performance.now() - arrivedAt) * 10) / 10;
      });

      const fault = this.take(req.method, req.path);
      // A stall (a fault's delayMs, ?delayMs=) comes before the tool acts: a tool that is slow to do the work.
      const stallMs = queryDelayMs(req) + (fault?.delayMs ?? 0);
      if (stallMs > 0) await sleep(stallMs);
      // The runtime latency comes after: the tool acts at once and its answer (or hang-up) reaches the caller
      // latencyMs later, however many calls arrived together. Working first, the stand-in's own CPU does not queue
      // a burst of calls behind one another once their time is up, which a tool with servers to spare would not do.
      // Only `res.end` is held (every API route answers through it); headers written before it would leave at once.
      const answerAt = performance.now() + this.latencyMs;
      const answer = this.latencyMs > 0 ? (send: () => void) => at(answerAt, send) : (send: () => void) => send();
      if (fault?.drop) return answer(() => req.socket.destroy());
      if (fault?.loseAnswer && fault.status === undefined) {
        res.end = (() => {
          answer(() => req.socket.destroy());
          return res;
        }) as typeof res.end;
      } else if (this.latencyMs > 0) {
        const end = res.end.bind(res) as (...args: unknown[]) => void;
        res.end = ((...args: unknown[]) => {
          answer(() => end(...args));
          return res;
        }) as typeof res.end;
      }
      if (fault?.status !== undefined) {
        res.status(fault.status).json(fault.body === undefined ? this.defaultBody(fault.status) : fault.body);
        return;
      }
      next();
    };
  }

  private take(method: string, path: string): QueuedFault | undefined {
    const fault = this.queued.find(
      (f) => (!f.method || f.method.toUpperCase() === method) && pathMatches(f.path, path),
    );
    if (fault && --fault.remaining === 0) this.queued.splice(this.queued.indexOf(fault), 1);
    return fault;
  }
}

/** Runs `fn` at `time` (performance.now()), at once if that has passed. */
function at(time: number, fn: () => void): void {
  const wait = time - performance.now();
  if (wait > 0) setTimeout(fn, wait);
  else fn();
}

function pathMatches(pattern: string, path: string): boolean {
  return pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : pattern === path;
}

/** `?delayMs=` on any request, as the contract pages promise. */
function queryDelayMs(req: Request): number {
  const raw = req.query.delayMs;
  const ms = typeof raw === 'string' ? Number(raw) : NaN;
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

/** Validates a `POST …/__sandbox/faults` body; returns the spec or an error message. */
export function parseFaultSpec(body: unknown): FaultSpec | string {
  if (!isPlainObject(body)) return 'body must be a JSON object';
  const { method, path, status, delayMs, times, drop, loseAnswer } = body;
  if (!isNonEmptyString(path) || !path.startsWith('/')) return 'path is required and must start with /';
  if (method !== undefined && !isNonEmptyString(method)) return 'method must be a string';
  const statusCode = toInteger(status);
  if (status !== undefined && (statusCode === undefined || statusCode < 100 || statusCode > 599)) {
    return 'status must be an HTTP status code';
  }
  if (delayMs !== undefined && (typeof delayMs !== 'number' || !(delayMs >= 0))) {
    return 'delayMs must be a non-negative number';
  }
  const count = toInteger(times);
  if (times !== undefined && (count === undefined || count < 1)) return 'times must be a positive integer';
  if (drop !== undefined && typeof drop !== 'boolean') return 'drop must be a boolean';
  if (loseAnswer !== undefined && typeof loseAnswer !== 'boolean') return 'loseAnswer must be a boolean';
  if (statusCode === undefined && !drop && !loseAnswer && delayMs === undefined)
    return 'a fault needs status, drop, loseAnswer or delayMs';
  return { method, path, status: statusCode, body: body.body, delayMs, times: count, drop, loseAnswer };
}
