import type { Principal } from '@app/auth';
import { AppError } from '@app/common';
import { LessonSpec, StudentSpec } from '@app/providers';
import { LessonContextRow } from './lesson-context.query';
import { gradesOf, isExternalLessonType, lessonTypeOf, metaString, subjectOf } from './lesson-fields';

export interface CheckedLesson {
  student: StudentSpec;
  lesson: LessonSpec;
  toolProvider: string | undefined;
  courseIdOnFail?: string;
  primaryOrg?: string;
}

/**
 * The checks every external-test endpoint makes before touching anything: 404 for an unknown (or deleted)
 * student or lesson, or one outside the caller's org, 422 for a non-student, a student without email, a lesson that is not an external test.
 */
export function checkStudentAndLesson(row: LessonContextRow, student: string, lesson: string, principal?: Principal): CheckedLesson {
  // A token restricted to an org (claim `org`) sees only that org's students and lessons: others are "not found",
  // exactly like objects that do not exist, so the answer leaks nothing.
  const org = principal?.org;
  const studentOrgs = [row.u_primary_org, ...(row.u_roles ?? []).map((r) => r.org?.sourcedId)];
  if (!row.u_id || row.u_status !== 'active' || (org && !studentOrgs.includes(org))) throw AppError.notFound('student', student);
  if (!row.cr_id || row.cr_status !== 'active' || (org && row.lesson_org !== org)) throw AppError.notFound('lesson', lesson);
  const isStudent = row.u_role === 'student' || (row.u_roles ?? []).some((x) => x.role === 'student');
  if (!isStudent) throw AppError.unprocessable(`User '${student}' is not a student`, 'student');
  if (!row.u_email) throw AppError.unprocessable(`Student '${student}' has no email`, 'student');
  if (!row.r_id || row.r_status !== 'active') throw AppError.unprocessable(`Lesson '${lesson}' has no active resource`, 'lesson');
  const lessonType = lessonTypeOf(row.cr_lesson_type, row.cr_metadata, row.r_metadata);
  if (!isExternalLessonType(lessonType)) {
    throw AppError.unprocessable(
      `Lesson '${lesson}' is not an external test-out, placement or unit-test (lessonType '${lessonType ?? ''}')`,
      'lesson',
    );
  }
  return {
    student: { sourcedId: row.u_id, email: row.u_email, givenName: row.u_given_name ?? '', familyName: row.u_family_name ?? '' },
    lesson: {
      sourcedId: row.cr_id,
      title: row.cr_title ?? row.cr_id,
      lessonType,
      subject: subjectOf(row.r_metadata),
      grades: gradesOf(row.r_metadata),
      vendorId: row.r_vendor_id ?? metaString(row.r_metadata, 'vendorId'),
    },
    toolProvider: metaString(row.r_metadata, 'toolProvider'),
    courseIdOnFail: metaString(row.r_metadata, 'courseIdOnFail'),
    primaryOrg: row.u_primary_org ?? undefined,
  };
}
