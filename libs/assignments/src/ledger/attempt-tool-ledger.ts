import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, CredentialCipher, ErrorCode } from '@external-tests/common';
import {
  AttemptLedgerRepository,
  ClassPurpose,
  LoginPurpose,
  ToolClassRecord,
  ToolClassRepository,
  ToolLoginRecord,
  ToolLoginRepository,
  ToolUserHeld,
} from '@external-tests/persistence';
import {
  AssignmentOwner,
  ClassSteps,
  GivenTest,
  LoginSteps,
  ToolClassRef,
  ToolLedger,
  ToolLoginRef,
} from '@external-tests/providers';
import { RecoveryPoint, RecoveryPointHook } from './recovery-points';
import { leaseRetryAfter } from './lease-retry-after';

export interface LedgerDeps {
  attempts: AttemptLedgerRepository;
  classes: ToolClassRepository;
  logins: ToolLoginRepository;
  cipher: CredentialCipher;
  leaseSeconds: number;
  recoveryPoint?: RecoveryPointHook;
}

export interface LedgerAttempt {
  tool: string;
  account: string;
  lessonSourcedId: string;
  studentSourcedId: string;
  /** The student as the tool knows them (their email, in any case): the seat is refused when it is another's. */
  toolUser: string | null;
  /** What the call is recorded as made for when the seat is taken (ClaimInput.callsAs). */
  callsAs: string | null;
  attempt: number;
  /** `seated`: the claim took the student's seat already, and read `givenTests` when asked to. */
  claim: { resultSourcedId: string; leaseToken: string; seated: boolean; givenTests?: GivenTest[] };
  /** An earlier request for this attempt asked the tool and never recorded the answer. */
  resumingCall: boolean;
  deadlineAt: number;
  /** Read along with the lesson (saves a round trip when they are recorded already). */
  knownClass?: ToolClassRecord;
  knownLogin?: ToolLoginRecord;
}

type Credentials = { email: string; password: string };

/**
 * The ToolLedger of one claimed attempt: every tool object the provider makes goes through here, with its intent
 * recorded before the tool call and the tool's id right after, under a lease. Another request's live lease is
 * waited for (within this flow's deadline); a dead request's intent is resumed.
 */
export class AttemptToolLedger implements ToolLedger {
  private started = false;
  private unclaimed = false;
  private refusedTest = false;

  constructor(
    private readonly deps: LedgerDeps,
    private readonly a: LedgerAttempt,
  ) {}

  /** Whether the tool call that makes the assignment was started (a failure after it may have left one). */
  get assignCallStarted(): boolean {
    return this.started;
  }

  assignCallStarting(): void {
    this.started = true;
  }

  /** Whether the tool refused the test the request names (namedTestRefused). */
  get testRefused(): boolean {
    return this.refusedTest;
  }

  namedTestRefused(): void {
    this.refusedTest = true;
  }

  /**
   * An earlier try of this request's own call may have made an assignment at the tool that the ownership rule
   * would not let this attempt claim (another attempt of the student has an unanswered call too). Whatever the
   * request answers then, the attempt must stay pending with its result: that assignment writes back to it.
   */
  get mayHaveLeftAssignment(): boolean {
    return this.unclaimed;
  }

  async reached(point: RecoveryPoint): Promise<void> {
    await this.deps.recoveryPoint?.(point, {
      lessonSourcedId: this.a.lessonSourcedId,
      studentSourcedId: this.a.studentSourcedId,
      attempt: this.a.attempt,
    });
  }

  async toolClass(steps: ClassSteps): Promise<ToolClassRef> {
    // The lesson's read knows the shared class only.
    const known = steps.own ? undefined : this.a.knownClass;
    if (known?.state === 'created' && known.externalId)
      return { classId: known.externalId, classCode: known.classCode };
    const purpose: ClassPurpose = {
      tool: this.a.tool,
      account: this.a.account,
      lessonSourcedId: this.a.lessonSourcedId,
      attempt: this.a.attempt,
      cohort: steps.own ? this.a.studentSourcedId : '',
    };
    for (;;) {
      const lease = await this.deps.classes.lease(purpose, this.deps.leaseSeconds);
      if (lease.kind === 'created') return { classId: lease.record.externalId!, classCode: lease.record.classCode };
      if (lease.kind === 'busy') {
        await this.waitFor(lease.record.leaseSeconds, 'the class of this lesson');
        continue;
      }
      try {
        await this.reached('class.intent');
        // A class made for this intent before its request died is found by the ref it carries.
        const made =
          (lease.resumed ? await steps.find(lease.record.ref) : undefined) ?? (await steps.create(lease.record.ref));
        await this.reached('class.made');
        if (!(await this.deps.classes.recordCreated(purpose, lease.leaseToken, made.classId, made.classCode ?? null)))
          throw this.lostLease();
        return made;
      } catch (e) {
        await this.deps.classes.releaseLease(purpose, lease.leaseToken).catch(() => undefined);
        throw e;
      }
    }
  }

  async studentLogin(steps: LoginSteps): Promise<{ login: ToolLoginRef; fresh: boolean }> {
    const purpose: LoginPurpose = {
      tool: this.a.tool,
      account: this.a.account,
      studentSourcedId: this.a.studentSourcedId,
    };
    const usable = (r: ToolLoginRecord | undefined): ToolLoginRef | undefined => {
      if (r?.state !== 'ready' || !r.externalUserId) return undefined;
      const c = this.open(r.credentialsSealed);
      // A changed student email means a different login at the tool: establish it again.
      return c.email.toLowerCase() === steps.email.toLowerCase()
        ? { externalUserId: r.externalUserId, ...c }
        : undefined;
    };
    const replaced = steps.replacing?.externalUserId;
    const known = replaced ? undefined : usable(this.a.knownLogin);
    if (known) return { login: known, fresh: false };
    let restart = this.a.knownLogin?.state === 'ready' || replaced !== undefined;
    for (;;) {
      const candidate = this.seal({ email: steps.email, password: steps.newPassword() });
      const lease = await this.deps.logins.lease(purpose, this.deps.leaseSeconds, candidate, restart);
      if (lease.kind === 'ready') {
        const ready = usable(lease.record);
        // Another request may have replaced the gone login already: that one is new, use it.
        if (ready && ready.externalUserId !== replaced) return { login: ready, fresh: false };
        restart = true;
        continue;
      }
      if (lease.kind === 'busy') {
        await this.waitFor(lease.record.leaseSeconds, "the student's login");
        continue;
      }
      try {
        // The password recorded before (by us, or by a request that died) is the one we set.
        const credentials = { email: steps.email, password: this.open(lease.record.credentialsSealed).password };
        await this.reached('login.intent');
        const externalUserId = await steps.establish(credentials, async (userId) =>
          this.checkUserOutcome(
            await this.deps.logins.reserveUser(purpose, lease.leaseToken, userId, credentials.email),
          ),
        );
        await this.reached('login.made');
        this.checkUserOutcome(
          await this.deps.logins.recordReady(
            purpose,
            lease.leaseToken,
            externalUserId,
            credentials.email,
            this.seal(credentials),
          ),
        );
        return { login: { externalUserId, ...credentials }, fresh: true };
      } catch (e) {
        await this.deps.logins.releaseLease(purpose, lease.leaseToken).catch(() => undefined);
        throw e;
      }
    }
  }

  async alone<T>(calls: () => Promise<T>): Promise<T> {
    const seat = {
      tool: this.a.tool,
      account: this.a.account,
      studentSourcedId: this.a.studentSourcedId,
      toolUser: this.a.toolUser,
      callsAs: this.a.callsAs,
    };
    // A new attempt's claim took the seat already when it was free (AttemptLedgerRepository.claim).
    while (!this.a.claim.seated) {
      const outcome = await this.deps.attempts.takeSeat(seat, this.a.claim, this.deps.leaseSeconds);
      if (outcome instanceof ToolUserHeld) throw this.toolUserRefused(outcome);
      const { taken, lost, leaseSeconds } = outcome;
      if (lost) throw this.lostLease();
      if (taken) break;
      await this.waitFor(leaseSeconds, "this student's assignments");
    }
    // The seat is given back with the answer (recorded or released) by AssignmentService, in that same statement.
    return calls();
  }

  async ownerOf(externalId: string, call: { afterUnknownAttempt?: boolean } = {}): Promise<AssignmentOwner> {
    if (call.afterUnknownAttempt) this.unclaimed = true;
    const o = await this.deps.attempts.ownership(
      this.a.tool,
      this.a.account,
      externalId,
      this.a.studentSourcedId,
      this.a.claim.resultSourcedId,
    );
    if (o.owner) {
      return o.owner.resultSourcedId === this.a.claim.resultSourcedId
        ? { kind: 'this-attempt' }
        : {
            kind: 'other-attempt',
            lessonSourcedId: o.owner.lessonSourcedId,
            attempt: o.owner.attempt,
            finished: o.owner.finished,
            anotherStudent: o.owner.anotherStudent,
          };
    }
    // Unrecorded: ours if an earlier request of this attempt, or an earlier try of this very call, asked the tool
    // without seeing the answer; else made outside this service.
    const asked = this.a.resumingCall || call.afterUnknownAttempt === true;
    // Another attempt of the student asked the tool and never recorded the answer: it may be that one's (and when
    // this attempt asked too, nothing tells whose it is).
    if (o.unresolved.length > 0)
      return { kind: 'unknown', lessons: [...new Set(o.unresolved.map((u) => u.lessonSourcedId))], contested: asked };
    return asked ? { kind: 'this-attempt' } : { kind: 'unknown', lessons: [], contested: false };
  }

  testsOfStudent(): Promise<GivenTest[]> {
    // Read by the claim that took the seat, given only when nobody held the seat between its snapshot and its take.
    if (this.a.claim.givenTests) return Promise.resolve(this.a.claim.givenTests);
    return this.deps.attempts.testsOfStudent(
      this.a.tool,
      this.a.account,
      this.a.studentSourcedId,
      this.a.claim.resultSourcedId,
    );
  }

  /** Waits for another request's lease, or answers 409 when it would outlast this flow's deadline. */
  private async waitFor(leaseSeconds: number | null, what: string): Promise<void> {
    const left = Math.max(0, leaseSeconds ?? 0) * 1000;
    const pause = Math.min(250, left + 10);
    if (Date.now() + pause >= this.a.deadlineAt) {
      throw new AppError(ErrorCode.InProgress, `Another request is making ${what} at the tool; retry shortly`, {
        retryAfterSeconds: leaseRetryAfter(left / 1000, this.deps.leaseSeconds),
      });
    }
    await sleep(pause);
  }

  /** The tool's user could not be recorded as this student's login: the lease was lost, or it is another's. */
  private checkUserOutcome(outcome: 'reserved' | 'recorded' | ToolUserHeld | 'lost'): void {
    if (outcome === 'lost') throw this.lostLease();
    if (outcome instanceof ToolUserHeld) throw this.toolUserRefused(outcome);
  }

  private toolUserRefused(held: ToolUserHeld): AppError {
    return toolUserRefused(held, this.a.studentSourcedId, this.a.tool, this.deps.leaseSeconds);
  }

  private lostLease(): AppError {
    return new AppError(
      ErrorCode.InProgress,
      'This request took too long and another one took the assignment over; retry shortly',
      { retryAfterSeconds: 1 },
    );
  }

  private seal(c: Credentials): string {
    return this.deps.cipher.sealJson(c, this.aad());
  }

  private open(sealed: string): Credentials {
    return this.deps.cipher.openJson<Credentials>(sealed, this.aad());
  }

  private aad(): string {
    return `${this.a.tool}:${this.a.studentSourcedId}`;
  }
}

/**
 * The student's email is another student's user at the tool (which knows a student by email, in any case): a 422
 * (saying what would free it), or a 409 with Retry-After while that user passes on from a student who no longer has
 * the email (ToolUserHeld). The other student is not named: they may be outside the caller's org.
 */
export function toolUserRefused(
  held: ToolUserHeld,
  studentSourcedId: string,
  tool: string,
  leaseSeconds: number,
): AppError {
  if (held.busySeconds !== null) {
    return new AppError(
      ErrorCode.InProgress,
      `Student '${studentSourcedId}' has the email of a user at ${tool} that a request of another student, who no ` +
        `longer has that email, is still using; retry shortly`,
      { retryAfterSeconds: leaseRetryAfter(held.busySeconds, leaseSeconds) },
    );
  }
  if (held.openTest) {
    return AppError.invalidData(
      `Student '${studentSourcedId}' has the email of a user at ${tool} that another student, who had that email, still ` +
        `has a test open on: the user passes on once that test is finished or its result deleted`,
      'student',
    );
  }
  return AppError.invalidData(
    `Student '${studentSourcedId}' has the email of another student's ${tool} user: two students cannot share one ` +
      `user there; give this student an email of their own`,
    'student',
  );
}
