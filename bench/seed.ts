/**
 * Benchmark data, written with plain SQL on a separate connection (so none of it is counted as the app's
 * statements): lessons (course → component → resource → componentResource), students in bulk, assigned
 * MasteryTrack results to write back to, and a subject track for the enrollment that a write-back triggers.
 */
import { Client } from 'pg';

export async function recreateDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end();
  }
}

export interface LessonSeed {
  id: string;
  toolProvider: 'mastery-track' | 'edulastic';
  lessonType: 'test-out' | 'placement' | 'unit-test';
  subject: string;
  grades: string[];
  vendorId?: string;
}

/** One lesson: course, unit, resource (the tool, subject, grades, vendor test id) and the componentResource. */
export async function seedLesson(db: Client, l: LessonSeed): Promise<void> {
  await db.query(`insert into courses (sourced_id, title) values ($1, $2)`, [
    `${l.id}-course`,
    `${l.subject} ${l.grades[0]}`,
  ]);
  await db.query(`insert into course_components (sourced_id, title, course_sourced_id) values ($1, 'Unit 1', $2)`, [
    `${l.id}-unit`,
    `${l.id}-course`,
  ]);
  await db.query(
    `insert into resources (sourced_id, title, vendor_resource_id, vendor_id, metadata) values ($1, 'External test', $1, $2, $3::jsonb)`,
    [
      `${l.id}-resource`,
      l.vendorId ?? null,
      JSON.stringify({ toolProvider: l.toolProvider, lessonType: l.lessonType, subject: l.subject, grades: l.grades }),
    ],
  );
  await db.query(
    `insert into component_resources (sourced_id, title, course_component_sourced_id, resource_sourced_id) values ($1, $2, $3, $4)`,
    [l.id, `${l.lessonType} lesson`, `${l.id}-unit`, `${l.id}-resource`],
  );
}

/** Students `${prefix}0` … `${prefix}${count - 1}`, each with an email (the tools know students by email). */
export async function seedStudents(db: Client, prefix: string, count: number): Promise<void> {
  await db.query(
    `insert into users (sourced_id, given_name, family_name, email, role, roles)
     select $1 || g, 'Bench', 'Student ' || g, $1 || g || '@bench.example.org', 'student',
            '[{"roleType":"primary","role":"student","org":{"sourcedId":"bench-org"}}]'::jsonb
     from generate_series(0, $2::int - 1) g`,
    [prefix, count],
  );
}

/**
 * `count` students with an assigned MasteryTrack attempt on `lesson` (what makeExternalTestAssignment leaves
 * behind): result `${resultPrefix}${i}` of student `${studentPrefix}${i}` on line item `lineItem`.
 */
export async function seedAssignedResults(
  db: Client,
  o: { lesson: string; lineItem: string; resultPrefix: string; studentPrefix: string; count: number },
): Promise<void> {
  await seedStudents(db, o.studentPrefix, o.count);
  await db.query(
    `insert into assessment_line_items (sourced_id, title, component_resource_sourced_id, result_value_min, result_value_max, metadata)
     values ($1, 'Bench lesson (external test)', $2, 0, 100, '{"origin":"makeExternalTestAssignment"}'::jsonb)`,
    [o.lineItem, o.lesson],
  );
  await db.query(`insert into lesson_line_items (lesson_sourced_id, line_item_sourced_id) values ($1, $2)`, [
    o.lesson,
    o.lineItem,
  ]);
  await db.query(
    `insert into assessment_results (sourced_id, line_item_sourced_id, student_sourced_id, attempt, score_status, score_date, metadata)
     select $1 || g, $2, $3 || g, 1, 'not submitted', now() - interval '1 day',
            jsonb_build_object('attempt', 1, 'toolProvider', 'mastery-track', 'lessonType', 'test-out',
                               'applicationName', null, 'assignmentId', (100000 + g)::text, 'classId', '',
                               'testId', (100000 + g)::text, 'testUrl', 'http://127.0.0.1/assignment/' || (100000 + g),
                               'skipCourseEnrollment', false, 'assignedAt', now())
     from generate_series(0, $4::int - 1) g`,
    [o.resultPrefix, o.lineItem, o.studentPrefix, o.count],
  );
  await db.query(
    `insert into tool_assignments (result_sourced_id, lesson_sourced_id, student_sourced_id, attempt, tool, account, state,
                                   external_id, class_id, test_id, test_url, assigned_at)
     select $1 || g, $2, $3 || g, 1, 'mastery-track', 'default', 'assigned', (100000 + g)::text, '', (100000 + g)::text,
            'http://127.0.0.1/assignment/' || (100000 + g), now()
     from generate_series(0, $4::int - 1) g`,
    [o.resultPrefix, o.lesson, o.studentPrefix, o.count],
  );
  // Each of them asked MasteryTrack from the student's seat, given back with the answer (tool_seats).
  await db.query(
    `insert into tool_seats (tool, account, student_sourced_id) select 'mastery-track', 'default', $1 || g
     from generate_series(0, $2::int - 1) g`,
    [o.studentPrefix, o.count],
  );
}

/** The course (with one class) a mastered test-out in `subject` enrols into: the global track for `grade`. */
export async function seedTrack(db: Client, subject: string, grade: string): Promise<void> {
  const course = `bench-track-${subject}-${grade}`.toLowerCase();
  await db.query(
    `insert into orgs (sourced_id, name, type) values ('bench-org', 'Bench School', 'school') on conflict do nothing`,
  );
  await db.query(`insert into courses (sourced_id, title, org_sourced_id) values ($1, $2, 'bench-org')`, [
    course,
    `${subject} ${grade}`,
  ]);
  await db.query(
    `insert into classes (sourced_id, title, course_sourced_id, school_sourced_id) values ($1, $2, $3, 'bench-org')`,
    [`${course}-class`, `${subject} ${grade} A`, course],
  );
  await db.query(`insert into subject_tracks (subject, grade, course_sourced_id) values ($1, $2, $3)`, [
    subject,
    grade,
    course,
  ]);
}

/** (student, lesson) pairs of `lesson` whose latest attempt is assigned: the repeat-call scenario replays them. */
export async function assignedPairs(db: Client, lesson: string, limit: number): Promise<[string, string][]> {
  const { rows } = await db.query<{ student: string }>(
    `select student_sourced_id student from tool_assignments where lesson_sourced_id = $1 and state = 'assigned'
     order by result_sourced_id limit $2`,
    [lesson, limit],
  );
  return rows.map((r) => [r.student, lesson]);
}
