import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** Subject tracks and the enrollments finalization makes (subject_tracks, classes, enrollments). */
@Injectable()
export class CourseEnrollmentRepository {
  constructor(private readonly em: EntityManager) {}

  /** The course of the subject track for (subject, grade): the student's org's track first, then the global one. */
  async trackCourse(subject: string, grade: string, org: string | undefined): Promise<string | undefined> {
    const [row] = await this.em.execute<{ course: string }[]>(
      `select course_sourced_id course from subject_tracks
       where lower(subject) = lower(?) and grade = ? and (org_sourced_id = ? or org_sourced_id is null)
       order by org_sourced_id nulls last limit 1`,
      [subject, grade, org ?? null],
    );
    return row?.course;
  }

  /**
   * Enrols the student in the course's class: its first active class, or a new one (school = the course's org).
   * Idempotent (the enrollment id derives from student and class). Undefined when the course does not exist.
   */
  async enrol(studentSourcedId: string, courseSourcedId: string): Promise<string | undefined> {
    const [row] = await this.em.execute<{ class_id: string | null }[]>(
      `with course as (
         select sourced_id, title, org_sourced_id from courses where sourced_id = ? and status = 'active'
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
       )
       select (select sourced_id from target) class_id`,
      [courseSourcedId, studentSourcedId, studentSourcedId],
    );
    return row?.class_id ?? undefined;
  }
}
