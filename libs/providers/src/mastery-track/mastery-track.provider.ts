import { Inject, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import {
  AppError,
  VENDOR_CALL_OBSERVER,
  VendorCallObserver,
  VendorHttpClient,
  VendorTransportError,
  ErrorCode,
  loggableError,
} from '@external-tests/common';
import {
  AssignContext,
  DeliveredResult,
  ExternalAssignment,
  LessonSpec,
  PushedResultsProvider,
  WithdrawRef,
} from '../external-test-provider';
import { ProviderOptions } from '../provider-options';
import { PROVIDER_OPTIONS } from '../provider.module-definition';
import { checkTestUrl } from '../test-url';
import { AssignmentOwner } from '../tool-ledger';
import { accountOf, resolveAccountName } from '../tool-accounts';
import { vendorHttp } from '../vendor-http';
import { gradeRank } from './grade-rank';
import { MasteryTrackClient } from './mastery-track.client';
import { MtAssignRequest } from './mastery-track.wire';

/** The tool's test is held by something that is not this attempt. */
interface Held {
  owner: AssignmentOwner;
  testName?: string;
}

/**
 * MasteryTrack strategy: assign by testId, else by subject + grade rank, with the line item and result
 * sourcedIds so MasteryTrack writes the score back to our gradebook. One request at a time calls it for a student,
 * and a 409 ASSIGNMENT_EXISTS is this attempt's only when the ledger says so; a test held by another lesson makes us pick another test of the subject and
 * grade (when the caller did not name one), else a 422 naming that lesson. Students sign in with their platform
 * identity, so no credentials are returned. Results are pushed: the write-back is final when `fully graded` with
 * `masteryTrackProcessed`, and only from the OAuth clients configured as MasteryTrack's.
 */
@Injectable()
export class MasteryTrackProvider implements PushedResultsProvider, OnModuleInit {
  readonly name = 'mastery-track' as const;
  readonly results = 'pushed' as const;
  // Its "already exists" does not say for which attempt: the flow asks it for a student one request at a time.
  readonly assignsAlone = true;
  readonly knowsStudentsByEmail = true;
  // Only when the test MasteryTrack picked is held (rare): read then, not with every claim.
  readonly readsGivenTests = false;
  private readonly logger = new Logger(MasteryTrackProvider.name);
  private readonly clients = new Map<string, MasteryTrackClient>();
  private readonly http?: VendorHttpClient;

  constructor(
    @Inject(PROVIDER_OPTIONS) private readonly options: ProviderOptions,
    @Optional() @Inject(VENDOR_CALL_OBSERVER) observer?: VendorCallObserver,
  ) {
    const mt = options.masteryTrack;
    if (mt) this.http = vendorHttp('MasteryTrack', mt.baseUrl, options.http, observer);
  }

  // Said once at boot (at init, when the app's logger is in place): without a client that speaks for MasteryTrack,
  // its own deliveries are refused until final, so none ever is.
  onModuleInit(): void {
    const mt = this.options.masteryTrack;
    if (mt && (mt.writeBackClients ?? []).length === 0) {
      this.logger.warn(
        'MASTERY_TRACK_WRITEBACK_CLIENTS names no OAuth client: no write-back will finalize a MasteryTrack attempt, and a fully graded one is refused (422)',
      );
    }
  }

  get vendorHttpClient(): VendorHttpClient | undefined {
    return this.http;
  }

  resolveAccount(applicationName?: string): string {
    return resolveAccountName('MasteryTrack', this.options.masteryTrack?.accounts, applicationName);
  }

  checkLesson(lesson: LessonSpec, testId?: string): void {
    if (testId) return;
    if (!lesson.subject) {
      throw AppError.invalidData(
        'MasteryTrack lessons need resource.metadata.subject (or a testId)',
        'resource.metadata.subject',
      );
    }
    if (gradeRank(lesson.grades[0]) === undefined) {
      throw AppError.invalidData(
        'MasteryTrack lessons need resource.metadata.grades with a grade from K to 12 (or a testId)',
        'resource.metadata.grades',
      );
    }
  }

  /**
   * Fully graded, processed, and scored: a delivery without a score is stored but decides nothing (the enrollment
   * policy reads the score, and a finalized attempt takes no later delivery, so the real score would be lost).
   */
  isFinalDelivery(r: DeliveredResult): boolean {
    return r.scoreStatus === 'fully graded' && r.metadata.masteryTrackProcessed === true && typeof r.score === 'number';
  }

  acceptsDeliveryFrom(clientId: string | undefined): boolean {
    return clientId !== undefined && (this.options.masteryTrack?.writeBackClients ?? []).includes(clientId);
  }

  withdraw(w: WithdrawRef): Promise<boolean> {
    // The email it was made for: the student's may have changed since (MasteryTrack knows a student by email only).
    return this.client(w.account).invalidate(
      { student_email: 'toolUserId' in w ? w.toolUserId : w.studentEmail, assignment_id: w.assignmentId },
      w.deadlineAt,
    );
  }

  /** Runs as the only request asking MasteryTrack for this student (`assignsAlone`: the flow holds the seat). */
  async assign(ctx: AssignContext): Promise<ExternalAssignment> {
    const client = this.client(ctx.account);
    const rank = gradeRank(ctx.lesson.grades[0]);
    const first = await this.tryAssign(
      client,
      ctx,
      ctx.testId ? { timeback_id: ctx.testId } : { subject: ctx.lesson.subject, grade_rank: rank },
    );
    if ('assignmentId' in first) return first;
    if (ctx.testId || rank === undefined || !ctx.lesson.subject) throw this.heldError(ctx, first);

    // Another lesson holds the test MasteryTrack picked: another test of the subject and grade the student has
    // not been given through us, in MasteryTrack's order.
    const given = await ctx.ledger.testsOfStudent();
    const tests = (await client.inventory(ctx.lesson.subject, rank, ctx.deadlineAt)).filter(
      (t) => t.name !== first.testName && !given.some((g) => g.testId === t.timeback_id || g.testTitle === t.name),
    );
    for (const test of tests) {
      const next = await this.tryAssign(client, ctx, { timeback_id: test.timeback_id });
      if ('assignmentId' in next) return next;
    }
    throw this.heldError(ctx, first);
  }

  /** One assign call: the assignment (made now, or this attempt's from before), or who holds the test. */
  private async tryAssign(
    client: MasteryTrackClient,
    ctx: AssignContext,
    select: Pick<MtAssignRequest, 'timeback_id' | 'subject' | 'grade_rank'>,
    withdrew = false,
  ): Promise<ExternalAssignment | Held> {
    ctx.ledger.assignCallStarting();
    const { assignment, existing, afterUnknownAttempt } = await client
      .assign(
        {
          student_email: ctx.student.email,
          ...select,
          assessment_line_item_sourced_id: ctx.lineItemSourcedId,
          assessment_result_sourced_id: ctx.resultSourcedId,
        },
        ctx.deadlineAt,
      )
      .catch((e: unknown) => {
        // MasteryTrack finds the named test before an active assignment of it: a test it does not know has none.
        if (ctx.testId && isUnknownTest(e)) ctx.ledger.namedTestRefused();
        throw e;
      });
    if (assignment.student_email.toLowerCase() !== ctx.student.email.toLowerCase()) {
      throw new VendorTransportError('MasteryTrack', 'bad_response', 'returned an assignment of another student');
    }
    const assignmentId = String(assignment.id);
    if (existing) {
      const owner = await ctx.ledger.ownerOf(assignmentId, { afterUnknownAttempt });
      if (!withdrew && owner.kind === 'other-attempt' && owner.finished) {
        // Still active for an attempt whose result is final (made while that attempt finished): it serves nothing,
        // so it is taken back and the tool asked again (we hold the student's seat). Not withdrawn, the test stays
        // held, as before (422 or another test); a later call tries again.
        const withdrawn = await this.takeBack(ctx, assignmentId, "a finished attempt's assignment").then(
          () => true,
          () => false,
        );
        if (withdrawn) return this.tryAssign(client, ctx, select, true);
      }
      if (owner.kind === 'unknown' && owner.contested) {
        // Made by this attempt or by another one whose answer was lost too, and the tool does not say which result it
        // writes back to: adopted by either, or left beside another test, it could give one result two live
        // assignments. Nobody was handed it, so it is taken back and the tool asked again; not withdrawn, the call
        // fails and the attempt stays pending for a later request.
        if (withdrew) {
          // The call after the withdrawal lost its answer too: never another test beside what it may have made.
          throw new AppError(
            ErrorCode.ToolUnavailable,
            'MasteryTrack lost the answer to an assignment; retry shortly',
            {
              retryAfterSeconds: 1,
            },
          );
        }
        await this.takeBack(ctx, assignmentId, 'an assignment two attempts may have made');
        return this.tryAssign(client, ctx, select, true);
      }
      if (owner.kind !== 'this-attempt') return { owner, testName: assignment.test_name };
    }
    return {
      assignmentId,
      classId: '',
      testId: select.timeback_id ?? assignmentId,
      testTitle: assignment.test_name,
      testUrl: checkTestUrl('MasteryTrack', assignment.test_url, this.options.masteryTrack!.testUrlHosts),
      adopted: existing,
    };
  }

  /** Invalidates one assignment (one no longer active is fine); a failure is logged with its id and rethrown. */
  private async takeBack(ctx: AssignContext, assignmentId: string, what: string) {
    try {
      const { account, student, deadlineAt } = ctx;
      await this.withdraw({ account, studentEmail: student.email, assignmentId, deadlineAt });
    } catch (e) {
      this.logger.warn({ assignmentId, error: loggableError(e) }, `Could not withdraw ${what}`);
      throw e;
    }
  }

  private heldError(ctx: AssignContext, held: Held): AppError {
    const test = held.testName ? `MasteryTrack test '${held.testName}'` : 'The MasteryTrack test';
    const scope = ctx.testId
      ? ''
      : ` and no other ${ctx.lesson.subject} grade ${ctx.lesson.grades[0]} test is free for this student`;
    const o = held.owner;
    const holder =
      o.kind === 'other-attempt'
        ? `is assigned to this student${o.anotherStudent ? "'s MasteryTrack user, by another student who had this email," : ''} for lesson '${o.lessonSourcedId}' (attempt ${o.attempt})`
        : o.kind === 'unknown' && o.lessons.length > 0
          ? `is held by an assignment of lesson '${o.lessons.join("', '")}' whose outcome is not recorded yet`
          : 'is already active for this student, assigned outside this service';
    const lesson = o.kind === 'other-attempt' ? o.lessonSourcedId : o.kind === 'unknown' ? (o.lessons[0] ?? '') : '';
    return new AppError(ErrorCode.TestHeld, `${test} ${holder}${scope}; finish or invalidate that assignment first`, {
      details: [{ field: 'lesson', value: ctx.lesson.sourcedId, heldByLesson: lesson }],
    });
  }

  private client(account: string): MasteryTrackClient {
    let client = this.clients.get(account);
    if (!client) {
      client = new MasteryTrackClient(this.http!, accountOf(this.options.masteryTrack?.accounts, account));
      this.clients.set(account, client);
    }
    return client;
  }
}

/**
 * MasteryTrack does not know the test a `timeback_id` names. Not TEST_NOT_SUPPORTED: a test it stopped offering may
 * still have a live assignment, made while it did.
 */
function isUnknownTest(e: unknown): boolean {
  return (
    e instanceof AppError && e.code === ErrorCode.ToolRefused && e.options.details?.[0]?.vendorCode === 'TEST_NOT_FOUND'
  );
}
