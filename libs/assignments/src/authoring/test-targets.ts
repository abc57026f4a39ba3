import type { Principal } from '@external-tests/auth';
import { AppError } from '@external-tests/common';
import type { CourseTestLessons } from '@external-tests/persistence';
import type { AuthoredLessonType } from '../dto/create-external-test.dto';
import { gradesOf, lessonTypeOf } from '../lesson-fields';

/** What a call authors: the course's test-out (grade ''), or its placement for one grade. */
export interface TestTarget {
  courseSourcedId: string;
  lessonType: AuthoredLessonType;
  grade: string;
}

/** 404 for a course that does not exist, is deleted or, for an org-restricted token, belongs to another org. */
export function checkCourse(
  c: CourseTestLessons | undefined,
  course: string,
  principal?: Principal,
): CourseTestLessons {
  if (!c || c.course.status !== 'active' || (principal?.org && c.course.org !== principal.org))
    throw AppError.notFound('course', course);
  return c;
}

/**
 * A placement is the course's placement for the first of its grades: the grade MasteryTrack picks its test by
 * and the enrollment policy places from.
 */
export function targetOf(course: string, lessonType: AuthoredLessonType, grades: string[]): TestTarget {
  if (lessonType === 'test-out') return { courseSourcedId: course, lessonType, grade: '' };
  if (grades.length === 0) throw AppError.invalidData('A placement test needs its grade: grades is empty', 'grades');
  return { courseSourcedId: course, lessonType, grade: grades[0] };
}

/**
 * The lessons of the course made without these endpoints (through OneRoster) that read as the target's — a test-out,
 * or a placement whose first grade is the target's — and are no other target's recorded lesson, in course order.
 */
export function unrecordedLessonsOf(c: CourseTestLessons, t: TestTarget): string[] {
  const recorded = new Set(c.recorded.map((r) => r.lessonSourcedId));
  return c.lessons
    .filter(
      (l) =>
        !recorded.has(l.sourcedId) &&
        lessonTypeOf(l.lessonType, l.metadata, l.resourceMetadata) === t.lessonType &&
        (t.lessonType === 'test-out' || gradesOf(l.resourceMetadata)[0] === t.grade),
    )
    .map((l) => l.sourcedId);
}

/** The first of unrecordedLessonsOf: the one authoring adopts. */
export function unrecordedLessonOf(c: CourseTestLessons, t: TestTarget): string | undefined {
  return unrecordedLessonsOf(c, t)[0];
}

/** The target's recorded lesson when it is active, else the course's unrecorded ones (none, one or several). */
export function activeLessonsOf(c: CourseTestLessons, t: TestTarget): string[] {
  const recorded = c.recorded.find((r) => r.lessonType === t.lessonType && r.grade === t.grade)?.lessonSourcedId;
  if (recorded && c.lessons.some((l) => l.sourcedId === recorded)) return [recorded];
  return unrecordedLessonsOf(c, t);
}
