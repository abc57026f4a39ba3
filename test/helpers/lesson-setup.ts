import { MikroORM } from '@mikro-orm/postgresql';
import { Course, Org, SchoolClass, SubjectTrack } from '@external-tests/persistence';
import { DEFAULT_MASTERY_TRACK_TESTS } from '@external-tests/sandbox';
import { createLesson, createStudent, uid } from './fixtures';
import { resultRow } from './rows';
import type { TestApp } from './test-app';

/** A subject (unique per call) with courses for grades 3–5 and a fallback course, tracks for the given grades. */
export async function createTrackedSubject(orm: MikroORM, trackGrades = ['3', '4', '5']) {
  const em = orm.em.fork();
  const subject = uid('Subject');
  const org = uid('org');
  em.create(Org, { sourcedId: org, name: 'School', type: 'school' });
  const courses: Record<string, string> = {};
  for (const g of ['3', '4', '5', 'fallback']) {
    courses[g] = uid(`course-${g}`);
    em.create(Course, { sourcedId: courses[g], title: `${subject} ${g}`, orgSourcedId: org });
  }
  // Grade 5 already has a class: enrollment must use it rather than create one.
  const grade5Class = uid('class');
  em.create(SchoolClass, {
    sourcedId: grade5Class,
    title: `${subject} 5 A`,
    courseSourcedId: courses['5'],
    schoolSourcedId: org,
  });
  for (const g of trackGrades) em.create(SubjectTrack, { subject, grade: g, courseSourcedId: courses[g] });
  await em.flush();
  return { subject, org, courses, grade5Class };
}

/**
 * A grade-4 Math placement lesson of a tracked subject of its own: its result, once final, enrols the student in the
 * subject's grade-5 course. MasteryTrack does not know the subject, so it is assigned with a named test.
 */
export async function createTrackedPlacement(orm: MikroORM) {
  const tracked = await createTrackedSubject(orm);
  const lesson = await createLesson(orm, {
    lessonType: 'placement',
    subject: 'Math',
    grades: ['4'],
    resourceMetadata: { subject: tracked.subject },
  });
  return { tracked, lesson };
}

/** A new student assigned a tracked placement (createTrackedPlacement) on MasteryTrack, and the attempt's result row. */
export async function assignTrackedPlacement(t: TestApp, token: string) {
  const { tracked, lesson } = await createTrackedPlacement(t.orm);
  const student = await createStudent(t.orm);
  const assigned = await t
    .http()
    .post('/powerpath/makeExternalTestAssignment')
    .set('Authorization', `Bearer ${token}`)
    .send({ student: student.sourcedId, lesson: lesson.sourcedId, testId: DEFAULT_MASTERY_TRACK_TESTS[0].timeback_id })
    .expect(200);
  const row = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
  return { tracked, lesson, student, assignmentId: assigned.body.assignmentId as string, row };
}

export async function enrollmentsOf(orm: MikroORM, student: string) {
  return orm.em
    .fork()
    .getConnection()
    .execute<{ class_sourced_id: string; course_sourced_id: string }[]>(
      `select e.class_sourced_id, c.course_sourced_id from enrollments e join classes c on c.sourced_id = e.class_sourced_id
     where e.user_sourced_id = ? and e.status = 'active'`,
      [student],
    );
}
