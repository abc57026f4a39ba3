import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ResultEvents, ResultWritten } from '@app/common';
import {
  AttemptLedgerRepository,
  AttemptResultsRepository,
  CourseEnrollmentRepository,
  FinalizedAttempt,
} from '@app/persistence';
import { EXTERNAL_TEST_PROVIDERS, ExternalTestProvider } from '@app/providers';
import { AssignmentsOptions } from '../assignments-options';
import { ASSIGNMENTS_OPTIONS } from '../assignments.module-definition';
import { gradesOf, isExternalLessonType, lessonTypeOf, metaString, subjectOf } from '../lesson-fields';
import { decideEnrollment } from './enrollment-policy';

export interface EnrollmentOutcome {
  status: 'enrolled' | 'skipped' | 'not-applicable' | 'failed';
  reason: string;
  courseId?: string;
  classId?: string;
}

/**
 * The one place where an attempt becomes final (ARCHITECTURE.md §6), for pushed results (a tool's write-back)
 * and pulled ones (the import) alike. Finalization is a conditional update (finalized_at is null) inside the
 * caller's transaction, so it happens once per attempt, together with the write that made the attempt final,
 * and so does the enrollment it triggers; a missing track is recorded as enrollmentFailed.
 */
@Injectable()
export class FinalizationService implements OnModuleInit {
  private readonly logger = new Logger(FinalizationService.name);
  private readonly byName: Map<string, ExternalTestProvider>;

  constructor(
    private readonly em: EntityManager,
    private readonly attempts: AttemptLedgerRepository,
    private readonly results: AttemptResultsRepository,
    private readonly enrollments: CourseEnrollmentRepository,
    private readonly events: ResultEvents,
    @Inject(EXTERNAL_TEST_PROVIDERS) providers: ExternalTestProvider[],
    @Inject(ASSIGNMENTS_OPTIONS) private readonly options: AssignmentsOptions,
  ) {
    this.byName = new Map(providers.map((p) => [p.name, p]));
  }

  onModuleInit(): void {
    this.events.onWritten((e) => this.afterDelivery(e));
  }

  /**
   * A result written through the gradebook (inside that write's transaction) finalizes its attempt when the
   * attempt is the flow's and the tool asked, its tool pushes results, the writer speaks for that tool and the
   * tool's word is final. Any other writer stores a result, never a final one.
   */
  async afterDelivery(e: ResultWritten): Promise<void> {
    const a = await this.attempts.readByResult(e.resultSourcedId);
    if (!a || a.state === 'open' || a.finalizedAt || a.resultStatus !== 'active' || !a.tool) return;
    const provider = this.byName.get(a.tool);
    if (provider?.results !== 'pushed' || !provider.acceptsDeliveryFrom(e.writer)) return;
    if (provider.isFinalDelivery({ scoreStatus: a.scoreStatus, metadata: a.resultMetadata }))
      await this.finalize(a.resultSourcedId);
  }

  /** Finalizes the attempt (once) and enrols per the policy; undefined when it was final already. */
  async finalize(resultSourcedId: string): Promise<EnrollmentOutcome | undefined> {
    const outcome = await this.em.transactional(async () => {
      const done = await this.results.finalizeOnce(resultSourcedId);
      if (!done) return undefined;
      const enrollment = await this.enrol(done);
      await this.options.recoveryPoint?.('finalizing', { resultSourcedId });
      await this.results.recordFinalization(resultSourcedId, {
        finalized: true,
        enrollmentFailed: enrollment.status === 'failed',
        enrollment,
      });
      return enrollment;
    });
    if (outcome)
      this.logger.log(
        { result: resultSourcedId, enrollment: outcome.status, course: outcome.courseId },
        'Attempt finalized',
      );
    return outcome;
  }

  private async enrol(a: FinalizedAttempt): Promise<EnrollmentOutcome> {
    const lessonType = lessonTypeOf(a.lessonType, a.componentResourceMetadata, a.resourceMetadata);
    if (!isExternalLessonType(lessonType)) return { status: 'not-applicable', reason: 'not an external test lesson' };
    const decision = decideEnrollment({
      lessonType: lessonType,
      score: a.score ?? 0,
      subject: subjectOf(a.resourceMetadata),
      grade: gradesOf(a.resourceMetadata)[0],
      courseIdOnFail: metaString(a.resourceMetadata, 'courseIdOnFail'),
      skipCourseEnrollment: a.request.skipCourseEnrollment === true,
    });
    switch (decision.kind) {
      case 'none':
        return { status: decision.reason === 'skipped' ? 'skipped' : 'not-applicable', reason: decision.reason };
      case 'failed':
        return { status: 'failed', reason: decision.reason };
      case 'course':
        return this.enrolled(a.studentSourcedId, decision.courseId, decision.reason);
      case 'track': {
        const courseId = await this.enrollments.trackCourse(
          decision.subject,
          decision.grade,
          a.studentPrimaryOrg ?? undefined,
        );
        if (!courseId)
          return { status: 'failed', reason: `no subject track for ${decision.subject} grade ${decision.grade}` };
        return this.enrolled(a.studentSourcedId, courseId, decision.reason);
      }
    }
  }

  private async enrolled(student: string, courseId: string, reason: string): Promise<EnrollmentOutcome> {
    const classId = await this.enrollments.enrol(student, courseId);
    return classId
      ? { status: 'enrolled', reason, courseId, classId }
      : { status: 'failed', reason: `course '${courseId}' does not exist`, courseId };
  }
}
