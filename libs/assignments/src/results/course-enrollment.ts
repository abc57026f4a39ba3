import type { EntityManager } from '@mikro-orm/postgresql';

type Execute = EntityManager['getConnection'] extends () => infer C ? C : never;

/** The course of the subject track for (subject, grade): the student's org's track first, then the global one. */
export async function trackCourse(em: EntityManager, subject: string, grade: string, org: string | undefined): Promise<string | undefined> {
  const [row] = await em.getConnection().execute<{ course: string }[]>(
    `select course_sourced_id course from subject_tracks
     where lower(subject) = lower(?) and grade = ? and (org_sourced_id = ? or org_sourced_id is null)
     order by org_sourced_id nulls last limit 1`,
    [subject, grade, org ?? null],
    'all',
    em.getTransactionContext(),
  );
  return row?.course;
}

/**
 * Enrols the student in the course's class: the first active class of the course, or a new one (school = the
 * course's org). Idempotent: the enrollment id is derived from student and class. Returns the class, or
 * undefined when the course does not exist.
 */
export async function enrolInCourse(em: EntityManager, studentId: string, courseId: string): Promise<string | undefined> {
  const conn = em.getConnection() as Execute;
  const tx = em.getTransactionContext();
  const [course] = await conn.execute<{ title: string; org: string | null }[]>(
    "select title, org_sourced_id org from courses where sourced_id = ? and status = 'active'",
    [courseId],
    'all',
    tx,
  );
  if (!course) return undefined;
  let [cls] = await conn.execute<{ sourced_id: string; school: string | null }[]>(
    `select sourced_id, school_sourced_id school from classes where course_sourced_id = ? and status = 'active'
     order by sourced_id limit 1`,
    [courseId],
    'all',
    tx,
  );
  if (!cls) {
    cls = { sourced_id: `class-${courseId}`, school: course.org };
    await conn.execute(
      `insert into classes (sourced_id, title, class_type, course_sourced_id, school_sourced_id, metadata)
       values (?, ?, 'scheduled', ?, ?, '{"origin":"auto-enrollment"}'::jsonb) on conflict (sourced_id) do nothing`,
      [cls.sourced_id, course.title, courseId, course.org],
      'run',
      tx,
    );
  }
  await conn.execute(
    `insert into enrollments (sourced_id, role, "primary", user_sourced_id, class_sourced_id, school_sourced_id, metadata)
     values (?, 'student', false, ?, ?, ?, '{"origin":"auto-enrollment"}'::jsonb)
     on conflict (sourced_id) do update set status = 'active', date_last_modified = now()
       where enrollments.status <> 'active'`,
    [`enr-${studentId}-${cls.sourced_id}`, studentId, cls.sourced_id, cls.school ?? course.org],
    'run',
    tx,
  );
  return cls.sourced_id;
}
