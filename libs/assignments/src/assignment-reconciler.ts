import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, ErrorCode, httpStatusOf, loggableError } from '@external-tests/common';
import { AttemptLedgerRepository } from '@external-tests/persistence';
import { ProviderRegistry } from '@external-tests/providers';
import { AssignmentsOptions } from './assignments-options';
import { ASSIGNMENTS_OPTIONS } from './assignments.module-definition';
import { AssignmentService } from './assignment.service';

export interface ReconcileOutcome {
  completed: number;
  /** Refused by the tool or by our own checks (4xx): not retried, left pending for a late write-back. */
  givenUp: number;
  failed: number;
  /**
   * Assignments of finished attempts (noted) and of void ones (their result deleted), withdrawn at the tool now (or
   * found no longer active there).
   */
  withdrawn: number;
}

/**
 * `npm run reconcile`: resumes attempts left pending by requests that died (crash, timeout) once their lease is
 * over, through the normal flow with the request they were first asked with, so what the tool made for them is
 * adopted, never made twice. Then withdraws, at the tools that take assignments back, the assignments noted on finished
 * attempts that their request could not withdraw (docs/ledger.md, "A finished attempt holds no live tool assignment"),
 * and those of void attempts.
 */
@Injectable()
export class AssignmentReconciler {
  private readonly logger = new Logger(AssignmentReconciler.name);

  constructor(
    private readonly attempts: AttemptLedgerRepository,
    private readonly assignments: AssignmentService,
    private readonly providers: ProviderRegistry,
    @Inject(ASSIGNMENTS_OPTIONS) private readonly options: AssignmentsOptions,
  ) {}

  async reconcile(limit = 100): Promise<ReconcileOutcome> {
    const outcome: ReconcileOutcome = { completed: 0, givenUp: 0, failed: 0, withdrawn: 0 };
    for (const a of await this.attempts.stuck(limit)) {
      try {
        await this.assignments.makeExternalTestAssignment({
          student: a.studentSourcedId,
          lesson: a.lessonSourcedId,
          applicationName: a.request.applicationName ?? undefined,
          testId: a.request.requestedTestId ?? undefined,
          skipCourseEnrollment: a.request.skipCourseEnrollment === true,
        });
        outcome.completed++;
      } catch (e) {
        // A 4xx will not get better (student or lesson gone, the tool refuses): the attempt is given up, so it
        // stops filling the queue, and stays pending, so a lost call's late write-back still finalizes it. A 5xx
        // means the tool is down: it stays for the next run.
        if (
          e instanceof AppError &&
          httpStatusOf(e.code) < 500 &&
          e.code !== ErrorCode.InProgress &&
          e.code !== ErrorCode.RateLimited
        ) {
          await this.attempts.giveUp(a.lessonSourcedId, a.studentSourcedId, a.attempt);
          outcome.givenUp++;
        } else outcome.failed++;
        this.logger.warn(
          { student: a.studentSourcedId, lesson: a.lessonSourcedId, error: loggableError(e) },
          'Reconciliation could not finish an assignment',
        );
      }
    }
    await this.withdrawPurposeless(limit, outcome);
    return outcome;
  }

  private async withdrawPurposeless(limit: number, outcome: ReconcileOutcome): Promise<void> {
    // Only tools that can take an assignment back: another's rows would be listed again on every run.
    const tools = this.providers
      .all()
      .filter((p) => p.results === 'pushed')
      .map((p) => p.name);
    for (const p of await this.attempts.purposeless(limit, tools)) {
      try {
        // Inside the try: a tool no longer configured fails this one, not the whole run.
        const provider = this.providers.get(p.tool);
        if (provider.results !== 'pushed') continue;
        await provider.withdraw({
          account: p.account,
          ...p.at,
          assignmentId: p.externalId,
          deadlineAt: Date.now() + this.options.leaseSeconds * 800,
        });
        await this.attempts.forgetPurposeless(p.resultSourcedId, p.externalId);
        outcome.withdrawn++;
      } catch (e) {
        outcome.failed++;
        this.logger.warn(
          { result: p.resultSourcedId, assignmentId: p.externalId, error: loggableError(e) },
          'Could not withdraw an assignment no attempt may use',
        );
      }
    }
  }
}
