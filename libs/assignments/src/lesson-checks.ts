import type { Principal } from '@external-tests/auth';
import { AppError } from '@external-tests/common';
import type { LessonContext, StudentRecord } from '@external-tests/persistence';
import { LessonSpec, StudentSpec } from '@external-tests/providers';
import { gradesOf, isExternalLessonType, lessonTypeOf, metaString, subjectOf } from './lesson-fields';

/**
 * A checked student. The email is what the tools know the student by: needed only to ask a tool (`withEmail`); what
 * is stored about the student's attempts reads without it.
 */
export type CheckedStudent = Omit<StudentSpec, 'email'> & { email: string | null };

export interface CheckedLesson {
  student: CheckedStudent;
  lesson: LessonSpec;
  toolProvider: string | undefined;
}

/**
 * The checks every external-test endpoint makes before touching anything: 404 for an unknown (or deleted)
 * student or lesson, or one outside the caller's org; 422 for a non-student, a lesson that is not an external test.
 * A student without email is refused where a tool is to be asked (`withEmail`).
 */
export function checkStudentAndLesson(
  ctx: LessonContext,
  student: string,
  lesson: string,
  principal?: Principal,
): CheckedLesson {
  // A token restricted to an org (claim `org`) sees only that org's students and lessons: others are "not found",
  // exactly like objects that do not exist, so the answer leaks nothing.
  const org = principal?.org;
  const u = checkStudentVisible(ctx.student, student, principal);
  const l = ctx.lesson;
  if (!l || l.status !== 'active' || (org && l.org !== org)) throw AppError.notFound('lesson', lesson);
  const isStudent = u.role === 'student' || u.roles.some((x) => x.role === 'student');
  if (!isStudent) throw AppError.invalidData(`User '${student}' is not a student`, 'student');
  const r = l.resource;
  if (!r || r.status !== 'active') throw AppError.invalidData(`Lesson '${lesson}' has no active resource`, 'lesson');
  const lessonType = lessonTypeOf(l.lessonType, l.metadata, r.metadata);
  if (!isExternalLessonType(lessonType)) {
    throw AppError.invalidData(
      `Lesson '${lesson}' is not an external test-out, placement or unit-test (lessonType '${lessonType ?? ''}')`,
      'lesson',
    );
  }
  return {
    student: {
      sourcedId: u.sourcedId,
      email: u.email ?? null,
      givenName: u.givenName ?? '',
      familyName: u.familyName ?? '',
    },
    lesson: {
      sourcedId: l.sourcedId,
      title: l.title,
      lessonType,
      subject: subjectOf(r.metadata),
      grades: gradesOf(r.metadata),
      vendorId: r.vendorId ?? metaString(r.metadata, 'vendorId'),
    },
    toolProvider: metaString(r.metadata, 'toolProvider'),
  };
}

/** 404 unless the student exists, is active and, for an org-restricted token, belongs to the caller's org. */
export function checkStudentVisible(
  u: StudentRecord | undefined,
  student: string,
  principal?: Principal,
): StudentRecord {
  const org = principal?.org;
  const studentOrgs = u ? [u.primaryOrg, ...u.roles.map((r) => r.org?.sourcedId)] : [];
  if (!u || u.status !== 'active' || (org && !studentOrgs.includes(org))) throw AppError.notFound('student', student);
  return u;
}

/** The student as a tool is asked about them: a 422 without an email, the only way the tools know a student. */
export function withEmail(student: CheckedStudent): StudentSpec {
  if (!student.email) {
    throw AppError.invalidData(
      `Student '${student.sourcedId}' has no email: the tools know a student by email only`,
      'student',
    );
  }
  return { ...student, email: student.email };
}
