import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { runPrepared } from '../prepared-statement';

/** Where finalization enrols a student: a named course, or the course of the subject track for (subject, grade). */
export type EnrollmentTarget =
  | { courseId: string }
  | { track: { subject: string; grade: string; org: string | undefined }; noTrackReason: string };

/** The enrollment outcome recorded on an attempt (metadata.enrollment). */
export interface RecordedEnrollment {
  status: 'enrolled' | 'skipped' | 'not-applicable' | 'failed';
  reason: string;
  courseId?: string;
  classId?: string;
}

/** A finalized result: the enrollment outcome, and the row's metadata and dateLastModified as the statement left them. */
export interface FinalizedResult {
  enrollment: RecordedEnrollment;
  stored: { metadata: Record<string, unknown>; dateLastModified: Date };
}

/** What finalization does besides marking the attempt final: enrol (the outcome follows), or record an outcome. */
export type FinalizationPlan =
  | { enrol: EnrollmentTarget; reason: string }
  | { outcome: { status: 'skipped' | 'not-applicable' | 'failed'; reason: string } };

/** The longest sourcedId the API takes: @external-tests/common's MAX_SOURCED_ID_LENGTH (not a dependency here). */
const MAX_SOURCED_ID_LENGTH = 255;

/**
 * The sourcedId of an object finalization makes, from what it is made for (`key`, SQL): `prefix || key`, the same
 * each time, so a repeated finalization finds it. Past MAX_SOURCED_ID_LENGTH (a long student or course id), the key's
 * md5 instead: an id the OneRoster API could not name (GET, PUT) would be an object nobody can correct. (Such an id
 * is another object's only where one key is the md5 of another.)
 */
const derivedId = (prefix: string, key: string) =>
  `(case when length(${prefix} || ${key}) <= ${MAX_SOURCED_ID_LENGTH} then ${prefix} || ${key} else ${prefix} || md5(${key}) end)`;
const CLASS_ID = derivedId("'class-'", 'course.sourced_id');
const ENROLLMENT_ID = derivedId("'enr-'", "s.id || '-' || t.sourced_id");

/** Subject tracks and the enrollments finalization makes (subject_tracks, classes, enrollments). */
@Injectable()
export class CourseEnrollmentRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Finalizes the attempt, once, and carries out the plan, in one statement: undefined (nothing written) when it
   * was final already or is not the flow's (never assigned, deleted, or its tool not among `tools` when given).
   * Enrolling puts the student in the target course's class (its first active class, or a new one whose school
   * is the course's org; the enrollment id derives from student and class, so this is idempotent), unless the
   * student is in an active class of the course already, under any enrollment id; the track's course is the student's org's track first,
   * then the global one. A missing track or course, or a derived id taken by what is not this course's class or
   * this student's enrollment, is recorded as a failed enrollment (saying which), not thrown. The outcome is recorded in the result's metadata by the finalizing update
   * itself (a row is updated once per statement). The eligibility check locks the result row: of two concurrent
   * calls the second waits, finds it final and writes nothing (no enrollment either).
   */
  async finalizeAndEnrol(
    resultSourcedId: string,
    studentSourcedId: string,
    tools: string[] | undefined,
    plan: FinalizationPlan,
  ): Promise<FinalizedResult | undefined> {
    const enrol = 'enrol' in plan ? plan.enrol : undefined;
    const track = enrol && 'track' in enrol ? enrol.track : undefined;
    const [row] = await runPrepared<{
      enrollment: RecordedEnrollment;
      metadata: Record<string, unknown>;
      date_last_modified: Date | string;
    }>(
      this.em,
      `with eligible as (
         select ar.sourced_id from assessment_results ar join tool_assignments ta on ta.result_sourced_id = ar.sourced_id
         where ar.sourced_id = ? and ar.finalized_at is null and ar.status = 'active' and ta.state <> 'open'
           and ta.tool is not null and (?::jsonb is null or ta.tool in (select jsonb_array_elements_text(?::jsonb)))
         limit 1 for update of ar
       ), track as (
         select course_sourced_id course from subject_tracks
         where lower(subject) = lower(?::text) and grade = ?::text and (org_sourced_id = ? or org_sourced_id is null)
         order by org_sourced_id nulls last limit 1
       ), wanted as (
         select coalesce(?::text, (select course from track)) id from eligible where ?::boolean
       ), course as (
         select c.sourced_id, c.title, c.org_sourced_id from courses c, wanted w where c.sourced_id = w.id and c.status = 'active'
       ), student as (select ?::text id)
       , already as (
         -- in one of the course's classes already, under any id (a roster's own enrollment, a retake's): no second one
         select c.sourced_id, null::text school from enrollments e join classes c on c.sourced_id = e.class_sourced_id,
           student s, course
         where e.user_sourced_id = s.id and e.role = 'student' and e.status = 'active'
           and c.course_sourced_id = course.sourced_id and c.status = 'active'
         order by c.sourced_id limit 1
       ), existing as (
         select c.sourced_id, coalesce(c.school_sourced_id, course.org_sourced_id) school from classes c, course
         where c.course_sourced_id = course.sourced_id and c.status = 'active' and not exists (select 1 from already)
         order by c.sourced_id limit 1
       ), made as (
         insert into classes (sourced_id, title, class_type, course_sourced_id, school_sourced_id, metadata)
         select ${CLASS_ID}, course.title, 'scheduled', course.sourced_id, course.org_sourced_id,
                '{"origin":"auto-enrollment"}'::jsonb
         from course where not exists (select 1 from existing) and not exists (select 1 from already)
         -- the id taken by a deleted class or another course's is not taken over (a class deleted stays deleted)
         on conflict (sourced_id) do update set title = classes.title
           where classes.course_sourced_id = excluded.course_sourced_id and classes.status = 'active'
         returning sourced_id, school_sourced_id school
       ), target as (select * from already union all select * from existing union all select * from made)
       , enrolled as (
         insert into enrollments (sourced_id, role, "primary", user_sourced_id, class_sourced_id, school_sourced_id, metadata)
         select ${ENROLLMENT_ID}, 'student', false, s.id, t.sourced_id, t.school, '{"origin":"auto-enrollment"}'::jsonb
         from target t, student s where not exists (select 1 from already)
         -- ours (deleted since, or a concurrent finalization's), never another user's or class's under that id
         on conflict (sourced_id) do update set status = 'active', date_last_modified = now()
           where enrollments.user_sourced_id = excluded.user_sourced_id and enrollments.role = 'student'
             and enrollments.class_sourced_id = excluded.class_sourced_id
         returning 1
       ), outcome as (
         select case
           when ?::jsonb is not null then ?::jsonb
           when exists (select 1 from already union all select 1 from enrolled)
             then jsonb_build_object('status', 'enrolled', 'reason', ?::text, 'courseId', w.id, 'classId', t.sourced_id)
           when w.id is null then jsonb_build_object('status', 'failed', 'reason', ?::text)
           when not exists (select 1 from course)
             then jsonb_build_object('status', 'failed', 'reason', format('course ''%s'' does not exist', w.id),
                                     'courseId', w.id)
           when t.sourced_id is null
             then jsonb_build_object('status', 'failed', 'courseId', w.id, 'reason', format(
               'the course has no active class, and class ''%s'', which finalization makes for it, is deleted or another '
               'course''s: give the course an active class', ${derivedId("'class-'", 'w.id')}))
           else jsonb_build_object('status', 'failed', 'courseId', w.id, 'classId', t.sourced_id, 'reason', format(
             'enrollment ''%s'', which finalization makes for the student in this class, is another user''s, class''s or role''s',
             ${ENROLLMENT_ID}))
         end enrollment
         from eligible left join wanted w on true left join (select sourced_id from target limit 1) t on true
           cross join student s
       ), done as (
         update assessment_results ar set finalized_at = now(), date_last_modified = now(),
           metadata = coalesce(ar.metadata, '{}'::jsonb) || jsonb_build_object(
             'finalized', true, 'enrollmentFailed', o.enrollment ->> 'status' = 'failed', 'enrollment', o.enrollment)
         from eligible e, outcome o where ar.sourced_id = e.sourced_id and ar.finalized_at is null
         returning o.enrollment, ar.metadata, ar.date_last_modified
       )
       select enrollment, metadata, date_last_modified from done`,
      [
        resultSourcedId,
        ...Array<string | null>(2).fill(tools ? JSON.stringify(tools) : null),
        track?.subject ?? null,
        track?.grade ?? null,
        track?.org ?? null,
        enrol && 'courseId' in enrol ? enrol.courseId : null,
        enrol !== undefined,
        studentSourcedId,
        ...Array<string | null>(2).fill('outcome' in plan ? JSON.stringify(plan.outcome) : null),
        'reason' in plan ? plan.reason : null,
        enrol && 'noTrackReason' in enrol ? enrol.noTrackReason : null,
      ],
    );
    return (
      row && {
        enrollment: row.enrollment,
        stored: { metadata: row.metadata, dateLastModified: new Date(row.date_last_modified) },
      }
    );
  }
}
