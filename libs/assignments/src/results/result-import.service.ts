import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@external-tests/auth';
import { AppError, ErrorCode } from '@external-tests/common';
import { AttemptResultsRepository } from '@external-tests/persistence';
import { assignmentFields, mayReadCredentials } from '../attempt-answer';
import { AssignmentsOptions } from '../assignments-options';
import { ASSIGNMENTS_OPTIONS } from '../assignments.module-definition';
import { ImportResultsDto } from '../dto/results.dto';
import { ImportResultsQueryDto } from '../dto/student-lesson.dto';
import { LessonResolver } from '../lesson-resolver';
import { withEmail } from '../lesson-checks';
import { FinalizationService } from './finalization.service';
import { leaseRetryAfter } from '../ledger/lease-retry-after';
import { checkPulledResult, isClosed, isFinal, toPulledResult } from './pulled-result';

/**
 * importExternalTestAssignmentResults: a tool with pulled results is asked for the current attempt's result,
 * which is stored and, when final, finalized in one transaction; a tool that pushes results was heard already
 * (its write-back finalizes), so the attempt is only read. A finalized attempt is answered without asking the
 * tool. Read-only callers may trigger the import (the outcome is the tool's word) but never see the password.
 */
@Injectable()
export class ResultImportService {
  constructor(
    private readonly em: EntityManager,
    private readonly lessons: LessonResolver,
    private readonly results: AttemptResultsRepository,
    private readonly finalization: FinalizationService,
    @Inject(ASSIGNMENTS_OPTIONS) private readonly options: AssignmentsOptions,
  ) {}

  async import(q: ImportResultsQueryDto, principal?: Principal): Promise<ImportResultsDto> {
    const lessonNow = await this.lessons.resolve(q.student, q.lesson, principal, q.applicationName);
    const current = lessonNow.context.latest;
    // The attempt's result is at the tool that made it, though the lesson may have moved to another since.
    const r = this.lessons.madeOn(lessonNow, current?.tool);
    if (q.applicationName) r.provider.resolveAccount(q.applicationName);
    // Another request is making this attempt's assignment (a retake, say): its result can be read once it is made.
    if (current?.state === 'pending' && (current.leaseSeconds ?? 0) > 0) {
      throw new AppError(
        ErrorCode.InProgress,
        `Another request is assigning attempt ${current.attempt} of this lesson to the student; import its result once it is made`,
        { retryAfterSeconds: leaseRetryAfter(current.leaseSeconds!, this.options.leaseSeconds) },
      );
    }
    if (!current || current.state !== 'assigned' || current.resultStatus !== 'active' || !current.externalId) {
      // A void attempt had its assignment: what is gone is its result (deleted in the gradebook).
      const what =
        current?.state === 'assigned' && current.resultStatus !== 'active'
          ? `Attempt ${current.attempt} of this lesson is void (its result was deleted): make a new assignment`
          : `No test assignment was made for this student and lesson${current ? ` in attempt ${current.attempt}` : ''}: make one`;
      throw AppError.invalidData(
        `${what} with makeExternalTestAssignment, then import its results`,
        'lesson',
        ErrorCode.NoAssignment,
      );
    }
    let finalized = current.finalizedAt !== null;
    let closed = current.closedAt !== null;
    if (!finalized && r.provider.results === 'pulled') {
      // Before the tool is asked, by the database's clock (read with the lesson): what orders imports of the attempt.
      const readAt = new Date(lessonNow.context.readAt);
      const result = await r.provider.fetchResult({
        account: current.account ?? 'default',
        assignmentId: current.externalId,
        classId: current.classId ?? undefined,
        // A student without email now still has the results of an assignment made for a user the tool named.
        ...(current.toolUserId ? { toolUserId: current.toolUserId } : { studentEmail: withEmail(r.student).email }),
        testId: current.testId ?? undefined,
      });
      checkPulledResult(r.provider.name, result);
      // Stored or not, a read that closes the attempt closes it (storePulled).
      closed ||= isClosed(result);
      finalized = await this.em.transactional(async () => {
        const outcome = await this.results.storePulled(
          {
            resultSourcedId: current.resultSourcedId,
            lineItemSourcedId: current.lineItemSourcedId,
            studentSourcedId: r.student.sourcedId,
            attempt: current.attempt,
          },
          toPulledResult(result, readAt),
        );
        // A read that was not stored (a later one was) decides nothing: the attempt is as that one left it.
        if (!outcome.stored) return outcome.finalized;
        if (!isFinal(result)) return false;
        await this.finalization.finalize(current.resultSourcedId, [r.provider.name]);
        return true;
      });
    }
    return {
      lessonType: r.lesson.lessonType,
      lessonId: r.lesson.sourcedId,
      toolProvider: r.provider.name,
      finalized,
      ...(closed && !finalized ? { closed: true } : {}),
      attempt: current.attempt,
      ...assignmentFields(current, this.options.cipher, r.student.sourcedId, mayReadCredentials(principal)),
    };
  }
}
