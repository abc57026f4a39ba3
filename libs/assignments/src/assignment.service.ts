import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, VendorTransportError } from '@app/common';
import type { Principal } from '@app/auth';
import {
  ExternalAssignment,
  ExternalTestProvider,
  LessonSpec,
  ProviderRegistry,
  StudentSpec,
  ToolLoginRef,
} from '@app/providers';
import { AssignmentStore, Claim, ExistingAttempt } from './assignment-store';
import { ASSIGNMENTS_OPTIONS, AssignmentsOptions } from './assignments-options';
import { ExternalTestAssignmentDto } from './dto/external-test-assignment.dto';
import { MakeExternalTestAssignmentDto } from './dto/make-external-test-assignment.dto';
import { readLessonContext, LessonContextRow } from './lesson-context.query';
import { storedAssignmentFields } from './stored-assignment';
import { checkStudentAndLesson } from './lesson-checks';

interface Resolved {
  row: LessonContextRow;
  student: StudentSpec;
  lesson: LessonSpec;
  provider: ExternalTestProvider;
  account: string;
}

/**
 * makeExternalTestAssignment (ARCHITECTURE.md §5): resolve and validate in one read, lease the attempt's
 * result row in one statement, call the tool with no connection held, store the outcome in one statement.
 * A repeated call returns the stored assignment without calling the tool.
 */
@Injectable()
export class AssignmentService {
  private readonly logger = new Logger(AssignmentService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly providers: ProviderRegistry,
    @Inject(ASSIGNMENTS_OPTIONS) private readonly options: AssignmentsOptions,
  ) {}

  async makeExternalTestAssignment(dto: MakeExternalTestAssignmentDto, principal?: Principal): Promise<ExternalTestAssignmentDto> {
    const r = await this.resolve(dto, principal);
    const store = new AssignmentStore(this.em);
    const finalized = r.row.ar_finalized === true;
    const attempt = r.row.ar_id ? r.row.ar_attempt! + (finalized ? 1 : 0) : 1;

    if (r.row.ar_id && !finalized) {
      const current: ExistingAttempt = {
        sourcedId: r.row.ar_id,
        state: r.row.ar_state!,
        leaseSeconds: r.row.ar_lease_seconds,
        metadata: r.row.ar_metadata,
        credentialsSealed: r.row.ar_credentials,
      };
      const early = this.answerFromExisting(current, r, attempt);
      if (early) return early;
    }

    const claim = await store.claim({
      lessonSourcedId: r.lesson.sourcedId,
      lessonTitle: r.lesson.title,
      studentSourcedId: r.student.sourcedId,
      attempt,
      leaseSeconds: this.options.leaseSeconds,
      // What reconciliation needs to finish this assignment if this request dies.
      metadata: {
        attempt,
        toolProvider: r.provider.name,
        lessonType: r.lesson.lessonType,
        applicationName: dto.applicationName ?? null,
        requestedTestId: dto.testId ?? null,
        skipCourseEnrollment: dto.skipCourseEnrollment === true,
      },
    });
    if (!claim) {
      // Lost a race for this attempt: answer from the winner's row.
      const winner = await store.readAttempt(r.lesson.sourcedId, r.student.sourcedId, attempt);
      const answer = winner && this.answerFromExisting(winner, r, attempt);
      if (answer) return answer;
      throw this.inProgress(winner?.leaseSeconds ?? 1);
    }

    let assignment: ExternalAssignment;
    try {
      assignment = await r.provider.assign({
        account: r.account,
        student: r.student,
        lesson: r.lesson,
        testId: dto.testId,
        lineItemSourcedId: claim.lineItemSourcedId,
        resultSourcedId: claim.resultSourcedId,
        attempt,
        toolClass: r.row.tc_class_id ? { classId: r.row.tc_class_id, classCode: r.row.tc_class_code } : undefined,
        knownLogin: this.knownLogin(r.row),
      });
    } catch (e) {
      await store.release(claim);
      throw e instanceof VendorTransportError ? e.toAppError() : e;
    }
    return this.store(store, claim, r, attempt, dto, assignment);
  }

  /**
   * Finishes or releases assignments stuck in `assigning` after their lease expired (a crashed request):
   * each is driven through the normal flow again, which adopts the tool's assignment if it exists.
   */
  async reconcile(limit = 100): Promise<{ completed: number; released: number; failed: number }> {
    const stuck = await this.em.getConnection().execute<
      { id: string; student: string; lesson: string; metadata: Record<string, unknown> | null }[]
    >(
      `select ar.sourced_id id, ar.student_sourced_id student, li.component_resource_sourced_id lesson, ar.metadata
       from assessment_results ar join assessment_line_items li on li.sourced_id = ar.line_item_sourced_id
       where ar.assignment_state = 'assigning' and ar.lease_until < now() and li.component_resource_sourced_id is not null
       order by ar.lease_until limit ?`,
      [limit],
    );
    const outcome = { completed: 0, released: 0, failed: 0 };
    for (const row of stuck) {
      const m = row.metadata ?? {};
      const text = (k: string) => (typeof m[k] === 'string' ? (m[k] as string) : undefined);
      try {
        await this.makeExternalTestAssignment({
          student: row.student,
          lesson: row.lesson,
          applicationName: text('applicationName'),
          testId: text('requestedTestId'),
          skipCourseEnrollment: m.skipCourseEnrollment === true,
        });
        outcome.completed++;
      } catch (e) {
        // A 4xx will not get better (student or lesson gone, tool refuses): release the row for good, so it stops
        // blocking the queue. A 5xx means the tool is down: the row stays for the next run.
        if (e instanceof AppError && e.status < 500) {
          await this.em.getConnection().execute(
            "update assessment_results set assignment_state = 'unassigned', lease_token = null, lease_until = null where sourced_id = ? and assignment_state = 'assigning' and lease_until < now()",
            [row.id],
          );
          outcome.released++;
        } else outcome.failed++;
        this.logger.warn({ student: row.student, lesson: row.lesson, error: e instanceof Error ? e.message : String(e) }, 'Reconciliation could not finish an assignment');
      }
    }
    return outcome;
  }

  private async store(
    store: AssignmentStore,
    claim: Claim,
    r: Resolved,
    attempt: number,
    dto: MakeExternalTestAssignmentDto,
    a: ExternalAssignment,
  ): Promise<ExternalTestAssignmentDto> {
    const metadata = {
      attempt,
      toolProvider: r.provider.name,
      lessonType: r.lesson.lessonType,
      applicationName: dto.applicationName ?? null,
      assignmentId: a.assignmentId,
      classId: a.classId ?? '',
      testId: a.testId ?? null,
      testUrl: a.testUrl,
      skipCourseEnrollment: dto.skipCourseEnrollment === true,
      assignedAt: new Date().toISOString(),
    };
    const cipher = this.options.cipher;
    const stored = await store.complete({
      claim,
      metadata,
      credentialsSealed: a.credentials ? cipher.sealJson(a.credentials, claim.resultSourcedId) : null,
      tool: r.provider.name,
      account: r.account,
      lessonSourcedId: r.lesson.sourcedId,
      studentSourcedId: r.student.sourcedId,
      createdClass: a.createdClass,
      login: a.login && { ...a.login, sealed: cipher.sealJson({ email: a.login.email, password: a.login.password }, this.loginAad(r)) },
    });
    if (!stored) {
      this.logger.warn({ result: claim.resultSourcedId }, 'Lease expired before the assignment was stored');
      throw this.inProgress(1);
    }
    if (a.adopted) this.logger.log({ result: claim.resultSourcedId, tool: r.provider.name }, 'Adopted an existing tool assignment');
    return this.response(r, attempt, metadata, a.credentials);
  }

  /** Answers from a row that already exists, or says why it cannot (another request holds it). */
  private answerFromExisting(row: ExistingAttempt, r: Resolved, attempt: number): ExternalTestAssignmentDto | undefined {
    if (row.state === 'assigned') {
      const stored = storedAssignmentFields(row.metadata ?? {}, { cipher: this.options.cipher, value: row.credentialsSealed, resultSourcedId: row.sourcedId });
      return { toolProvider: r.provider.name, lessonType: r.lesson.lessonType, attempt, ...stored };
    }
    if (row.state === 'assigning' && (row.leaseSeconds ?? 0) > 0) throw this.inProgress(row.leaseSeconds!);
    return undefined;
  }

  private response(
    r: Resolved,
    attempt: number,
    meta: Record<string, unknown>,
    credentials?: { email: string; password: string },
  ): ExternalTestAssignmentDto {
    return { toolProvider: r.provider.name, lessonType: r.lesson.lessonType, attempt, ...storedAssignmentFields(meta, { credentials }) };
  }

  private inProgress(leaseSeconds: number): AppError {
    return new AppError('conflict', 'Another request is assigning this test to the student; retry shortly', {
      retryAfterSeconds: Math.min(Math.max(1, leaseSeconds), 5),
    });
  }

  private knownLogin(row: LessonContextRow): ToolLoginRef | undefined {
    if (!row.tl_user_id || !row.tl_credentials) return undefined;
    const { email, password } = this.options.cipher.openJson<{ email: string; password: string }>(
      row.tl_credentials,
      `${row.r_metadata?.toolProvider}:${row.u_id}`,
    );
    // A changed student email means a different tool login: start over.
    return email.toLowerCase() === row.u_email?.toLowerCase() ? { externalUserId: row.tl_user_id, email, password } : undefined;
  }

  private loginAad(r: Resolved): string {
    return `${r.provider.name}:${r.student.sourcedId}`;
  }

  /** One read, then every 404/422 check, before anything is written. */
  private async resolve(dto: MakeExternalTestAssignmentDto, principal?: Principal): Promise<Resolved> {
    const row = await readLessonContext(this.em, dto.student, dto.lesson, dto.applicationName ?? 'default');
    const { student, lesson, toolProvider } = checkStudentAndLesson(row, dto.student, dto.lesson, principal);
    const provider = this.providers.get(toolProvider);
    provider.checkLesson(lesson, dto.testId);
    return { row, lesson, provider, student, account: provider.resolveAccount(dto.applicationName) };
  }
}
