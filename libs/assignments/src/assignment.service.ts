import { Inject, Injectable, Logger } from '@nestjs/common';
import { UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import type { Principal } from '@external-tests/auth';
import { AppError, ErrorCode, httpStatusOf, loggableError, VendorTransportError } from '@external-tests/common';
import {
  AttemptLedgerRepository,
  AttemptRecord,
  Claim,
  ToolAssignmentRequest,
  ToolClassRepository,
  ToolLoginRepository,
  ToolUserHeld,
} from '@external-tests/persistence';
import { ExternalAssignment } from '@external-tests/providers';
import { assignmentFields } from './attempt-answer';
import { AssignmentsOptions } from './assignments-options';
import { ASSIGNMENTS_OPTIONS } from './assignments.module-definition';
import { ExternalTestAssignmentDto } from './dto/external-test-assignment.dto';
import { MakeExternalTestAssignmentDto } from './dto/make-external-test-assignment.dto';
import { AttemptToolLedger, toolUserRefused } from './ledger/attempt-tool-ledger';
import { leaseRetryAfter } from './ledger/lease-retry-after';
import { LessonResolver, ResolvedLesson } from './lesson-resolver';
import { withEmail } from './lesson-checks';

/**
 * makeExternalTestAssignment (docs/ledger.md): one read resolves everything; the attempt's ledger row is leased
 * in one statement; the tool is called with no connection held, every object it makes recorded step by step
 * through the ledger; the answer is recorded in one statement fenced by the lease. The flow ends before its
 * lease does, so no other request takes it over while it works. A repeated call answers from the ledger.
 */
@Injectable()
export class AssignmentService {
  private readonly logger = new Logger(AssignmentService.name);

  constructor(
    private readonly lessons: LessonResolver,
    private readonly attempts: AttemptLedgerRepository,
    private readonly classes: ToolClassRepository,
    private readonly logins: ToolLoginRepository,
    @Inject(ASSIGNMENTS_OPTIONS) private readonly options: AssignmentsOptions,
  ) {}

  makeExternalTestAssignment(
    dto: MakeExternalTestAssignmentDto,
    principal?: Principal,
  ): Promise<ExternalTestAssignmentDto> {
    return this.assign(dto, principal);
  }

  /**
   * `within`: the deadline of the call this one continues (its resumed attempt replayed a request the tool refused,
   * and the caller's own is asked now).
   */
  private async assign(
    dto: MakeExternalTestAssignmentDto,
    principal: Principal | undefined,
    within?: number,
  ): Promise<ExternalTestAssignmentDto> {
    const r = await this.lessons.resolve(dto.student, dto.lesson, principal, dto.applicationName);
    const attempt = r.context.nextAttempt;
    const latest = r.context.latest;
    // The request is checked against the tool that will hear it: an existing attempt's own (madeOn), else the lesson's.
    const asked = latest?.attempt === attempt ? this.lessons.madeOn(r, latest.tool) : r;
    const account = asked.provider.resolveAccount(dto.applicationName);
    if (latest?.attempt === attempt) {
      const answer = this.answerFromLedger(latest, r);
      if (answer) return answer;
    }
    // What the tool needs of the lesson, only when the tool is to be asked: a stored answer stands, though the lesson
    // moved to another tool since and no longer has what the attempt's tool would need.
    asked.provider.checkLesson(r.lesson, dto.testId);
    // A disabled account (OneRoster enabledUser false) cannot sign in to take a test: nothing is made at a tool for it.
    // What was assigned before is still answered, above.
    if (r.context.student?.enabledUser === false) {
      throw AppError.invalidData(
        `Student '${r.student.sourcedId}' is disabled (enabledUser is false): no test is assigned to a disabled account`,
        'student',
      );
    }
    withEmail(r.student);
    const request: ToolAssignmentRequest = {
      applicationName: dto.applicationName ?? null,
      requestedTestId: dto.testId ?? null,
      skipCourseEnrollment: dto.skipCourseEnrollment === true,
    };
    const claim = await this.attempts.claim({
      lessonSourcedId: r.lesson.sourcedId,
      lessonTitle: r.lesson.title,
      studentSourcedId: r.student.sourcedId,
      attempt,
      lineItemSourcedId: r.context.lineItemSourcedId,
      tool: r.provider.name,
      account,
      request,
      leaseSeconds: this.options.leaseSeconds,
      resultMetadata: { attempt, toolProvider: r.provider.name, lessonType: r.lesson.lessonType },
      origin: 'makeExternalTestAssignment',
      seat: r.provider.assignsAlone,
      toolUser: toolUserOf(r.student),
      callsAs: callsAsOf(r),
      givenTests: r.provider.readsGivenTests === true,
    });
    if (claim instanceof ToolUserHeld)
      throw toolUserRefused(claim, r.student.sourcedId, r.provider.name, this.options.leaseSeconds);
    if (!claim) {
      // Another request got there first: answer from its attempt, or say it is still working.
      const winner = await this.attempts.read(r.lesson.sourcedId, r.student.sourcedId, attempt);
      const answer = winner && this.answerFromLedger(winner, r);
      if (answer) return answer;
      throw this.inProgress(winner?.leaseSeconds ?? 1);
    }
    const askOwn = within === undefined ? (by: number) => this.assign(dto, principal, by) : undefined;
    return this.assignClaimed(r, claim, attempt, { account, request }, askOwn, within);
  }

  /**
   * `asked`: the caller's account and request (a resumed attempt replays those recorded first). `askOwn` asks with
   * them by a deadline when the tool refuses the replayed ones; `within`: the deadline this call inherits.
   */
  private async assignClaimed(
    lessonNow: ResolvedLesson,
    claim: Claim,
    attempt: number,
    asked: { account: string; request: ToolAssignmentRequest },
    askOwn?: (deadlineAt: number) => Promise<ExternalTestAssignmentDto>,
    within = Infinity,
  ): Promise<ExternalTestAssignmentDto> {
    // A resumed attempt goes on at the tool it was first asked of, though the lesson may have moved since.
    const r = this.lessons.madeOn(lessonNow, claim.tool);
    const account = asked.account;
    // The flow ends before its lease: no other request takes the attempt over while this one works.
    const deadlineAt = Math.min(Date.now() + this.options.leaseSeconds * 800, within);
    // The class and login read with the lesson are those of the lesson's tool on the requested account (a resumed
    // attempt keeps its own account, and its tool).
    const known = claim.account === account && claim.tool === lessonNow.provider.name;
    const callsAs = callsAsOf(r, claim);
    const ledger = new AttemptToolLedger(
      {
        attempts: this.attempts,
        classes: this.classes,
        logins: this.logins,
        cipher: this.options.cipher,
        leaseSeconds: this.options.leaseSeconds,
        recoveryPoint: this.options.recoveryPoint,
      },
      {
        tool: claim.tool,
        account: claim.account,
        lessonSourcedId: r.lesson.sourcedId,
        studentSourcedId: r.student.sourcedId,
        // The seat of the user the call asks as: a resumed call's email is refused, as any, when another's is on it.
        toolUser: callsAs ?? toolUserOf(r.student),
        callsAs,
        attempt,
        claim,
        resumingCall: claim.priorCalled,
        deadlineAt,
        knownClass: known ? r.context.toolClass : undefined,
        knownLogin: known ? r.context.login : undefined,
      },
    );
    let assignment: ExternalAssignment;
    try {
      await ledger.reached('claimed');
      // The student as the tool is asked about them (their email was checked before the claim): a resumed call asks
      // as the first one did.
      const student = { ...withEmail(r.student), ...(callsAs ? { email: callsAs } : {}) };
      const assign = () =>
        r.provider.assign({
          account: claim.account,
          student,
          lesson: r.lesson,
          testId: claim.request.requestedTestId ?? undefined,
          lineItemSourcedId: claim.lineItemSourcedId,
          resultSourcedId: claim.resultSourcedId,
          attempt,
          deadlineAt,
          ledger,
        });
      // A tool whose "exists" does not say for which attempt is asked for a student by one request at a time.
      assignment = await (r.provider.assignsAlone ? ledger.alone(assign) : assign());
      await ledger.reached('assignment.made');
    } catch (e) {
      // Once the assign call started, a failure that may have reached the tool leaves the attempt pending:
      // the next request resumes it and adopts what the tool made, instead of making another. So does any failure
      // (a 422 too) after one of its tries may have made an assignment: undone, its result would be deleted while
      // that assignment still writes back to it, and another attempt could adopt it.
      const reached =
        ledger.assignCallStarted &&
        (ledger.mayHaveLeftAssignment ||
          ((!(e instanceof AppError) || httpStatusOf(e.code) >= 500) &&
            !(e instanceof VendorTransportError && !e.mayHaveReachedTool)));
      if (!reached && ledger.testRefused && claim.prior === 'pending') {
        return this.afterRefusedReplay(r, claim, asked, e, askOwn && (() => askOwn(deadlineAt)));
      }
      await this.releaseAfterFailure(claim, reached);
      throw refusalOfReplay(e, claim, asked);
    }
    const assignedAt = new Date().toISOString();
    const recorded = await this.attempts
      .recordAssigned(
        claim,
        {
          externalId: assignment.assignmentId,
          classId: assignment.classId ?? null,
          testId: assignment.testId ?? null,
          testTitle: assignment.testTitle ?? null,
          testUrl: assignment.testUrl,
          toolUserId: assignment.toolUserId ?? null,
          callsAs,
          adopted: assignment.adopted,
        },
        {
          attempt,
          toolProvider: r.provider.name,
          lessonType: r.lesson.lessonType,
          applicationName: claim.request.applicationName ?? null,
          assignmentId: assignment.assignmentId,
          classId: assignment.classId ?? '',
          testId: assignment.testId ?? null,
          testUrl: assignment.testUrl,
          skipCourseEnrollment: claim.request.skipCourseEnrollment === true,
          assignedAt,
        },
      )
      .catch(async (e: unknown) => {
        if (!(e instanceof UniqueConstraintViolationException)) {
          // Not recorded (the database refused for a moment, the connection was lost): the tool made the assignment,
          // so the attempt stays pending without its lease, and the caller's retry resumes it at once and adopts it
          // instead of waiting out the lease. A record that did commit no longer holds this lease: nothing changes.
          await this.releaseAfterFailure(claim, true);
          throw e;
        }
        // The tool's object is recorded for another attempt: the database refuses to give it two purposes.
        await this.attempts.release(claim, false);
        throw new AppError(
          ErrorCode.InProgress,
          'The tool answered with an assignment recorded for another attempt; retry shortly',
          { retryAfterSeconds: 1 },
        );
      });
    if (recorded === 'attempt-over')
      throw await this.withdrawFromFinishedAttempt(r, claim, assignment, callsAs, deadlineAt);
    if (recorded === 'lease-lost') {
      this.logger.warn({ result: claim.resultSourcedId }, 'Lease expired before the assignment was stored');
      throw this.inProgress(1);
    }
    await ledger.reached('assignment.stored');
    if (assignment.adopted)
      this.logger.log(
        { result: claim.resultSourcedId, tool: r.provider.name },
        'Adopted the tool assignment of a resumed attempt',
      );
    return {
      toolProvider: r.provider.name,
      lessonType: r.lesson.lessonType,
      attempt,
      ...(assignment.credentials ? { credentials: assignment.credentials } : {}),
      assignmentId: assignment.assignmentId,
      classId: assignment.classId ?? '',
      testUrl: assignment.testUrl,
      ...(assignment.testId ? { testId: assignment.testId } : {}),
    };
  }

  /**
   * The attempt finished while the tool was asked (an earlier assignment of it wrote back), and the tool, holding
   * no active assignment for it any more, made a new one: it would write back to the finished result, so it is taken
   * back at the tool, still in this student's seat, and the attempt let go. The caller's retry assigns the next one.
   * The withdrawal has a budget of its own (to 0.9 of the lease; the seat is held that long): this happens after a
   * slow call. If it fails, the row keeps the assignment noted (recordAssigned) for `npm run reconcile` or the
   * student's next assignment call to withdraw. One the tool already had (adopted) may be another's: left alone.
   */
  private async withdrawFromFinishedAttempt(
    r: ResolvedLesson,
    claim: Claim,
    assignment: ExternalAssignment,
    callsAs: string | null,
    deadlineAt: number,
  ): Promise<AppError> {
    const at = { result: claim.resultSourcedId, tool: r.provider.name, assignmentId: assignment.assignmentId };
    if (assignment.adopted || r.provider.results !== 'pushed') {
      this.logger.warn(
        at,
        'The attempt finished at the tool meanwhile; the assignment the tool answered is left as it is',
      );
    } else {
      try {
        const withdrawn = await r.provider.withdraw({
          account: claim.account,
          // The user it was made for, as the call was asked (callsAs), else the student's email.
          ...(callsAs ? { toolUserId: callsAs } : { studentEmail: withEmail(r.student).email }),
          assignmentId: assignment.assignmentId,
          deadlineAt: deadlineAt + this.options.leaseSeconds * 100,
        });
        await this.attempts.forgetPurposeless(claim.resultSourcedId, assignment.assignmentId);
        this.logger.warn(
          { ...at, withdrawn },
          withdrawn
            ? 'The attempt finished at the tool meanwhile: its new assignment was withdrawn'
            : 'The attempt finished at the tool meanwhile: its new assignment was no longer active',
        );
      } catch (e) {
        this.logger.error({ ...at, error: loggableError(e) }, 'Could not withdraw an assignment of a finished attempt');
      }
    }
    await this.releaseAfterFailure(claim, true);
    return new AppError(
      ErrorCode.InProgress,
      'The attempt was finished at the tool while this request assigned it; retry to assign the next attempt',
      { retryAfterSeconds: 1 },
    );
  }

  /**
   * The tool refused the test named by the request a resumed attempt replays (recorded by its first claim): no call of
   * the attempt made anything, so it asks with the caller's request from now on (docs/ledger.md). A caller who sent
   * that request hears the refusal; one who sent another is asked with it now (`askOwn`), or hears 409 (the refusal
   * is of a request it did not send) when this is that second try already, or the attempt could not be changed.
   */
  private async afterRefusedReplay(
    r: ResolvedLesson,
    claim: Claim,
    asked: { account: string; request: ToolAssignmentRequest },
    refusal: unknown,
    askOwn?: () => Promise<ExternalTestAssignmentDto>,
  ): Promise<ExternalTestAssignmentDto> {
    const replaced = await this.attempts.replaceRefusedRequest(claim, asked).catch((err: unknown) => {
      this.logger.error({ result: claim.resultSourcedId, error: loggableError(err) }, 'Could not replace a request');
      return false;
    });
    if (replaced) {
      this.logger.warn(
        { result: claim.resultSourcedId, tool: r.provider.name, testId: claim.request.requestedTestId },
        "The tool refused the test a resumed attempt was first asked for; it is asked with the caller's request now",
      );
    } else await this.releaseAfterFailure(claim, false);
    if (sameRequest(claim, asked)) throw refusal;
    if (replaced && askOwn) return askOwn();
    throw new AppError(
      ErrorCode.InProgress,
      'The tool refused the test this attempt was first asked for by another request; retry to ask with this one',
      { retryAfterSeconds: 1 },
    );
  }

  /**
   * Lets the claim go after the flow failed; the failure that got here is the one the caller hears, so a release that
   * fails too is only logged (the lease then runs out on its own).
   */
  private async releaseAfterFailure(claim: Claim, reachedTool: boolean): Promise<void> {
    await this.attempts
      .release(claim, reachedTool)
      .catch((err: unknown) => this.logger.error({ error: loggableError(err) }, 'Could not release a claim'));
  }

  /** Answers from a recorded attempt, or says another request holds it; undefined when it can be claimed. */
  private answerFromLedger(a: AttemptRecord, r: ResolvedLesson): ExternalTestAssignmentDto | undefined {
    if (a.state === 'assigned') {
      return {
        // The tool that made it, though the lesson may have moved to another since.
        toolProvider: this.lessons.madeOn(r, a.tool).provider.name,
        lessonType: r.lesson.lessonType,
        attempt: a.attempt,
        ...assignmentFields(a, this.options.cipher, r.student.sourcedId),
      };
    }
    if (a.state === 'pending' && (a.leaseSeconds ?? 0) > 0) throw this.inProgress(a.leaseSeconds!);
    return undefined;
  }

  private inProgress(leaseSeconds: number): AppError {
    return new AppError(ErrorCode.InProgress, 'Another request is assigning this test to the student; retry shortly', {
      retryAfterSeconds: leaseRetryAfter(leaseSeconds, this.options.leaseSeconds),
    });
  }
}

/** Whether the claim asks the tool what the caller asks: the account, and the test it names. */
function sameRequest(claim: Claim, asked: { account: string; request: ToolAssignmentRequest }): boolean {
  return (
    claim.account === asked.account &&
    (claim.request.requestedTestId ?? null) === (asked.request.requestedTestId ?? null)
  );
}

/**
 * A refusal of the request a resumed attempt replays, heard by a caller who sent another one, says so: the caller is
 * not left with a reason about a test it never named (the attempt stays pending with that request; docs/ledger.md).
 */
function refusalOfReplay(
  e: unknown,
  claim: Claim,
  asked: { account: string; request: ToolAssignmentRequest },
): unknown {
  const refused = e instanceof AppError && (e.code === ErrorCode.ToolRefused || e.code === ErrorCode.TestHeld);
  if (!refused || claim.prior !== 'pending' || sameRequest(claim, asked)) return e;
  return new AppError(
    e.code,
    `This attempt is pending with the request it was first asked with, asked again until the tool answers it: ${e.message}`,
    e.options,
  );
}

/**
 * What a call is recorded as made for (ClaimInput.callsAs): the email, for a tool that knows students by it alone;
 * a resumed call's, the one its first call was made for (Claim.priorCallsAs), which may have made the assignment.
 */
function callsAsOf(r: ResolvedLesson, resumed?: Claim): string | null {
  if (!r.provider.knowsStudentsByEmail) return null;
  return (resumed?.priorCalled && resumed.priorCallsAs) || toolUserOf(r.student);
}

/** The student as the tools know them: their email, in any case (ToolSeat.toolUser, lower-cased by the database). */
function toolUserOf(student: { email?: string | null }): string | null {
  return student.email || null;
}
