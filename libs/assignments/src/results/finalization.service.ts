import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppError, ResultEvents, ResultRowChange, ResultWritten } from '@external-tests/common';
import {
  ATTEMPT_CONTEXT_SQL,
  AttemptContext,
  AttemptResultsRepository,
  CourseEnrollmentRepository,
  FinalizationPlan,
  FinalizedResult,
  RecordedEnrollment,
} from '@external-tests/persistence';
import { EXTERNAL_TEST_PROVIDERS, ExternalTestProvider } from '@external-tests/providers';
import { AssignmentsOptions } from '../assignments-options';
import { ASSIGNMENTS_OPTIONS } from '../assignments.module-definition';
import { gradesOf, isExternalLessonType, lessonTypeOf, metaString, subjectOf } from '../lesson-fields';
import { decideEnrollment, EnrollmentDecision } from './enrollment-policy';

/** What finalization did about enrollment, as recorded on the result (metadata.enrollment). */
export type EnrollmentOutcome = RecordedEnrollment;

/** Where the gradebook hands finalization the attempt context it read beside the write's row lock. */
const CONTEXT = 'attemptContext';

/**
 * The one place where an attempt becomes final (ARCHITECTURE.md §6), for pushed results (a tool's write-back)
 * and pulled ones (the import) alike. The enrollment is decided from the attempt's context first; then one
 * conditional statement (finalized_at is null) finalizes, enrols and records the outcome, inside the caller's
 * transaction, so it happens once per attempt, together with the write that made the attempt final; a missing
 * track is recorded as enrollmentFailed.
 */
@Injectable()
export class FinalizationService implements OnModuleInit {
  private readonly logger = new Logger(FinalizationService.name);
  private readonly byName: Map<string, ExternalTestProvider>;

  constructor(
    private readonly em: EntityManager,
    private readonly results: AttemptResultsRepository,
    private readonly enrollments: CourseEnrollmentRepository,
    private readonly events: ResultEvents,
    @Inject(EXTERNAL_TEST_PROVIDERS) providers: ExternalTestProvider[],
    @Inject(ASSIGNMENTS_OPTIONS) private readonly options: AssignmentsOptions,
  ) {
    this.byName = new Map(providers.map((p) => [p.name, p]));
  }

  onModuleInit(): void {
    // The context is read with the write's row lock, so a write-back needs no read of its own.
    this.events.onWritten((e) => this.afterDelivery(e), { key: CONTEXT, sql: ATTEMPT_CONTEXT_SQL });
  }

  /**
   * A result written through the gradebook (inside that write's transaction) finalizes its attempt when the
   * attempt is the flow's and the tool asked, its tool pushes results, the writer speaks for that tool and the
   * tool's word on the stored result is final. Any other writer stores a result, never a final one. The tools
   * that could finalize this delivery are known before any read, so a delivery no tool deems final costs no
   * statement, and one that may costs the finalizing statement alone (which checks whose attempt it is). What
   * finalizing changed on the row is handed back, so the write answers the result as stored.
   */
  async afterDelivery(e: ResultWritten): Promise<ResultRowChange | undefined> {
    if (e.changed && e.stored.scoreStatus === 'fully graded') await this.refuseForeignGrade(e);
    const tools = [...this.byName.values()]
      .filter((p) => p.results === 'pushed' && p.acceptsDeliveryFrom(e.writer) && p.isFinalDelivery(e.stored))
      .map((p) => p.name);
    if (tools.length === 0) return undefined;
    const read = e.read && CONTEXT in e.read ? (e.read[CONTEXT] as AttemptContext | null) : undefined;
    // Read before the write: the score is the one the write stored.
    const done = await this.finalizeResult(
      e.resultSourcedId,
      tools,
      read === undefined ? undefined : read && Object.assign({}, read, { score: e.stored.score }),
    );
    return done?.stored;
  }

  /**
   * Until a pushed tool's attempt is final, only that tool grades it fully: another writer's `fully graded` would
   * outrank the tool's own final delivery (deliveries at one status are ordered by scoreDate, and the tool's date is
   * when the student finished, often before a teacher's write), which would then be a no-op and the attempt never
   * final. 422, inside the write's transaction, so nothing of it is stored. Partial grades stay open to anyone.
   */
  private async refuseForeignGrade(e: ResultWritten): Promise<void> {
    const read = e.read && CONTEXT in e.read ? (e.read[CONTEXT] as AttemptContext | null) : undefined;
    const a = read === undefined ? await this.results.attemptContext(e.resultSourcedId) : read;
    // The write changed the row under its lock, so the attempt was not final (finalization only ever sets it).
    const tool = a && !a.finalized && a.tool ? this.byName.get(a.tool) : undefined;
    if (tool?.results !== 'pushed' || tool.acceptsDeliveryFrom(e.writer)) return;
    throw AppError.invalidData(
      `assessmentResult '${e.resultSourcedId}' is an attempt at a ${tool.name} test that is not final yet: only ` +
        `${tool.name}'s write-back grades it fully (a lower scoreStatus is accepted)`,
      'assessmentResult.scoreStatus',
    );
  }

  /**
   * Finalizes the attempt (once; only if its tool is one of `tools` when given) and enrols per the policy;
   * undefined when it was final already or is not the flow's. Joins the caller's transaction when there is one.
   * `context` when the caller read it already (null: not the flow's attempt), else one read first.
   */
  async finalize(
    resultSourcedId: string,
    tools?: string[],
    context?: AttemptContext | null,
  ): Promise<EnrollmentOutcome | undefined> {
    return (await this.finalizeResult(resultSourcedId, tools, context))?.enrollment;
  }

  private async finalizeResult(
    resultSourcedId: string,
    tools?: string[],
    context?: AttemptContext | null,
  ): Promise<FinalizedResult | undefined> {
    const work = async () => {
      const a = context === undefined ? await this.results.attemptContext(resultSourcedId) : context;
      if (!a || a.finalized) return undefined;
      const done = await this.enrollments.finalizeAndEnrol(resultSourcedId, a.studentSourcedId, tools, this.plan(a));
      if (!done) return undefined;
      await this.options.recoveryPoint?.('finalizing', { resultSourcedId });
      return done;
    };
    // No savepoint: a failure here fails the caller's whole transaction, so a caller must not catch it and carry
    // on (PostgreSQL would refuse every later statement of the aborted transaction).
    const done = this.em.isInTransaction() ? await work() : await this.em.transactional(work);
    if (done)
      this.logger.log(
        { result: resultSourcedId, enrollment: done.enrollment.status, course: done.enrollment.courseId },
        'Attempt finalized',
      );
    return done;
  }

  /** The enrollment policy's decision as what the finalizing statement does. */
  private plan(a: AttemptContext): FinalizationPlan {
    const decision = this.decide(a);
    switch (decision.kind) {
      case 'course':
        return { enrol: { courseId: decision.courseId }, reason: decision.reason };
      case 'track':
        return {
          enrol: {
            track: { subject: decision.subject, grade: decision.grade, org: a.studentPrimaryOrg ?? undefined },
            noTrackReason: `no subject track for ${decision.subject} grade ${decision.grade}`,
          },
          reason: decision.reason,
        };
      case 'failed':
        return { outcome: { status: 'failed', reason: decision.reason } };
      default:
        return {
          outcome: { status: decision.reason === 'skipped' ? 'skipped' : 'not-applicable', reason: decision.reason },
        };
    }
  }

  private decide(a: AttemptContext): EnrollmentDecision | { kind: 'none'; reason: 'not an external test lesson' } {
    const lessonType = lessonTypeOf(a.lessonType, a.componentResourceMetadata, a.resourceMetadata);
    if (!isExternalLessonType(lessonType)) return { kind: 'none', reason: 'not an external test lesson' };
    return decideEnrollment({
      lessonType,
      score: a.score ?? 0,
      subject: subjectOf(a.resourceMetadata),
      grade: gradesOf(a.resourceMetadata)[0],
      courseIdOnFail: metaString(a.resourceMetadata, 'courseIdOnFail'),
      skipCourseEnrollment: a.request.skipCourseEnrollment === true,
    });
  }
}
