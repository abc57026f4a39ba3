import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ResultEvents } from '@app/common';
import type { LessonType } from '@app/providers';
import { gradesOf, isExternalLessonType, lessonTypeOf, metaString, subjectOf } from '../lesson-fields';
import { enrolInCourse, trackCourse } from './course-enrollment';
import { decideEnrollment } from './enrollment-policy';

export interface EnrollmentOutcome {
  status: 'enrolled' | 'skipped' | 'not-applicable' | 'failed';
  reason: string;
  courseId?: string;
  classId?: string;
}

interface FinalizeRow {
  student: string;
  score: number | null;
  meta: Record<string, unknown> | null;
  cr_lesson_type: string | null;
  cr_metadata: Record<string, unknown> | null;
  r_metadata: Record<string, unknown> | null;
  primary_org: string | null;
}

/**
 * The one place where an attempt becomes final (ARCHITECTURE.md §6): for both the MasteryTrack write-back and
 * the Edulastic import. Finalization is a conditional update (finalized_at is null), so it happens once per
 * attempt, and so does the enrollment it triggers; a missing track is recorded as enrollmentFailed.
 */
@Injectable()
export class FinalizationService implements OnModuleInit {
  private readonly logger = new Logger(FinalizationService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly events: ResultEvents,
  ) {}

  onModuleInit(): void {
    this.events.onWritten((id) => this.afterWriteBack(id));
  }

  /** MasteryTrack's write-back is final when it says `fully graded` and masteryTrackProcessed. */
  async afterWriteBack(resultSourcedId: string): Promise<void> {
    const [row] = await this.em.getConnection().execute<{ status: string; meta: Record<string, unknown> | null; finalized: boolean; state: string }[]>(
      `select score_status status, metadata meta, finalized_at is not null finalized, assignment_state state
       from assessment_results where sourced_id = ?`,
      [resultSourcedId],
    );
    // Only results our assignment flow made (and MasteryTrack was told about) are finalized by a write-back.
    if (!row || row.finalized || row.state === 'unassigned' || row.meta?.toolProvider !== 'mastery-track') return;
    if (row.status === 'fully graded' && row.meta?.masteryTrackProcessed === true) await this.finalize(resultSourcedId);
  }

  /** Finalizes the attempt (once) and enrols per the policy; returns undefined when it was already final. */
  async finalize(resultSourcedId: string): Promise<EnrollmentOutcome | undefined> {
    const outcome = await this.em.transactional(async (em) => {
      const [row] = await em.getConnection().execute<FinalizeRow[]>(
        `with done as (
           update assessment_results set finalized_at = now(), date_last_modified = now()
           where sourced_id = ? and finalized_at is null
           returning student_sourced_id, score, metadata, line_item_sourced_id
         )
         select d.student_sourced_id student, d.score, d.metadata meta, cr.lesson_type cr_lesson_type,
                cr.metadata cr_metadata, r.metadata r_metadata, u.primary_org_sourced_id primary_org
         from done d
         join assessment_line_items li on li.sourced_id = d.line_item_sourced_id
         left join component_resources cr on cr.sourced_id = li.component_resource_sourced_id
         left join resources r on r.sourced_id = cr.resource_sourced_id
         left join users u on u.sourced_id = d.student_sourced_id`,
        [resultSourcedId],
        'all',
        em.getTransactionContext(),
      );
      if (!row) return undefined;
      const enrollment = await this.enrol(em, row);
      await em.getConnection().execute(
        `update assessment_results set metadata = coalesce(metadata, '{}'::jsonb) || ?::jsonb where sourced_id = ?`,
        [JSON.stringify({ finalized: true, enrollmentFailed: enrollment.status === 'failed', enrollment }), resultSourcedId],
        'run',
        em.getTransactionContext(),
      );
      return enrollment;
    });
    if (outcome) this.logger.log({ result: resultSourcedId, enrollment: outcome.status, course: outcome.courseId }, 'Attempt finalized');
    return outcome;
  }

  private async enrol(em: EntityManager, row: FinalizeRow): Promise<EnrollmentOutcome> {
    const lessonType = lessonTypeOf(row.cr_lesson_type, row.cr_metadata, row.r_metadata);
    if (!isExternalLessonType(lessonType)) return { status: 'not-applicable', reason: 'not an external test lesson' };
    const decision = decideEnrollment({
      lessonType: lessonType as LessonType,
      score: row.score ?? 0,
      subject: subjectOf(row.r_metadata),
      grade: gradesOf(row.r_metadata)[0],
      courseIdOnFail: metaString(row.r_metadata, 'courseIdOnFail'),
      skipCourseEnrollment: row.meta?.skipCourseEnrollment === true,
    });
    switch (decision.kind) {
      case 'none':
        return { status: decision.reason === 'skipped' ? 'skipped' : 'not-applicable', reason: decision.reason };
      case 'failed':
        return { status: 'failed', reason: decision.reason };
      case 'course':
        return this.enrolled(em, row.student, decision.courseId, decision.reason);
      case 'track': {
        const courseId = await trackCourse(em, decision.subject, decision.grade, row.primary_org ?? undefined);
        if (!courseId) return { status: 'failed', reason: `no subject track for ${decision.subject} grade ${decision.grade}` };
        return this.enrolled(em, row.student, courseId, decision.reason);
      }
    }
  }

  private async enrolled(em: EntityManager, student: string, courseId: string, reason: string): Promise<EnrollmentOutcome> {
    const classId = await enrolInCourse(em, student, courseId);
    return classId
      ? { status: 'enrolled', reason, courseId, classId }
      : { status: 'failed', reason: `course '${courseId}' does not exist`, courseId };
  }
}
