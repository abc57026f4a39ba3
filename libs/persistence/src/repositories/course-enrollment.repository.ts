import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** Where finalization enrols a student: a named course, or the course of the subject track for (subject, grade). */
export type EnrollmentTarget =
  | { courseId: string }
  | { track: { subject: string; grade: string; org: string | undefined }; noTrackReason: string };

/** The enrollment outcome recorded on an attempt (metadata.enrollment). */
export interface RecordedEnrollment {
  status: 'enrolled' | 'failed';
  reason: string;
  courseId?: string;
  classId?: string;
}

/** Subject tracks and the enrollments finalization makes (subject_tracks, classes, enrollments). */
@Injectable()
export class CourseEnrollmentRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Enrols the student in the target course's class (its first active class, or a new one whose school is the
   * course's org; the enrollment id derives from student and class, so this is idempotent) and records the outcome
   * on the finalized result, in one statement. The track's course is the student's org's track first, then the
   * global one. Fails (recorded, not thrown) when there is no track or the course does not exist.
   */
  async enrolAndRecord(
    resultSourcedId: string,
    studentSourcedId: string,
    target: EnrollmentTarget,
    reason: string,
  ): Promise<RecordedEnrollment> {
    const track = 'track' in target ? target.track : undefined;
    const [row] = await this.em.execute<{ enrollment: RecordedEnrollment }[]>(
      `with track as (
         select course_sourced_id course from subject_tracks
         where lower(subject) = lower(?) and grade = ? and (org_sourced_id = ? or org_sourced_id is null)
         order by org_sourced_id nulls last limit 1
       ), wanted as (
         select coalesce(?::text, (select course from track)) id
       ), course as (
         select c.sourced_id, c.title, c.org_sourced_id from courses c, wanted w where c.sourced_id = w.id and c.status = 'active'
       ), existing as (
         select c.sourced_id, coalesce(c.school_sourced_id, course.org_sourced_id) school from classes c, course
         where c.course_sourced_id = course.sourced_id and c.status = 'active' order by c.sourced_id limit 1
       ), made as (
         insert into classes (sourced_id, title, class_type, course_sourced_id, school_sourced_id, metadata)
         select 'class-' || course.sourced_id, course.title, 'scheduled', course.sourced_id, course.org_sourced_id,
                '{"origin":"auto-enrollment"}'::jsonb
         from course where not exists (select 1 from existing)
         on conflict (sourced_id) do update set title = classes.title
         returning sourced_id, school_sourced_id school
       ), target as (select * from existing union all select * from made)
       , enrolled as (
         insert into enrollments (sourced_id, role, "primary", user_sourced_id, class_sourced_id, school_sourced_id, metadata)
         select 'enr-' || ? || '-' || t.sourced_id, 'student', false, ?, t.sourced_id, t.school, '{"origin":"auto-enrollment"}'::jsonb
         from target t
         on conflict (sourced_id) do update set status = 'active', date_last_modified = now() where enrollments.status <> 'active'
       ), outcome as (
         select w.id course_id, (select sourced_id from target) class_id from wanted w
       ), recorded as (
         update assessment_results set metadata = coalesce(metadata, '{}'::jsonb) || jsonb_build_object(
           'finalized', true,
           'enrollmentFailed', o.class_id is null,
           'enrollment', case
             when o.class_id is not null
               then jsonb_build_object('status', 'enrolled', 'reason', ?::text, 'courseId', o.course_id, 'classId', o.class_id)
             when o.course_id is null then jsonb_build_object('status', 'failed', 'reason', ?::text)
             else jsonb_build_object('status', 'failed', 'reason', format('course ''%s'' does not exist', o.course_id),
                                     'courseId', o.course_id)
           end)
         from outcome o where sourced_id = ?
         returning metadata -> 'enrollment' enrollment
       )
       select enrollment from recorded`,
      [
        track?.subject ?? null,
        track?.grade ?? null,
        track?.org ?? null,
        'courseId' in target ? target.courseId : null,
        studentSourcedId,
        studentSourcedId,
        reason,
        'noTrackReason' in target ? target.noTrackReason : null,
        resultSourcedId,
      ],
    );
    // The caller finalized (and so locked) this result in the same transaction: it exists.
    if (!row) throw new Error(`enrolAndRecord: result '${resultSourcedId}' does not exist`);
    return row.enrollment;
  }
}
