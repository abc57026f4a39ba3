import type { EntityManager } from '@mikro-orm/postgresql';
import { Course, SchoolClass } from '@external-tests/persistence';
import { storedValues } from './stored-values';

/** A class's school: given as `school` or `org`, else its course's org. */
export async function schoolOfCourse(em: EntityManager, data: Record<string, unknown>) {
  const courseId = data.courseSourcedId as string | null | undefined;
  if (!courseId) return { because: 'it is taken from the course’s org, and the class has no course' };
  const course = await storedValues(em, Course, courseId, ['orgSourcedId']);
  return course?.orgSourcedId
    ? { value: course.orgSourcedId }
    : { because: `it is taken from the course’s org, and course '${courseId}' has no org` };
}

/** An enrollment's school: given, else its class's school. */
export async function schoolOfClass(em: EntityManager, data: Record<string, unknown>) {
  const cls = await storedValues(em, SchoolClass, data.classSourcedId as string, ['schoolSourcedId']);
  return cls?.schoolSourcedId
    ? { value: cls.schoolSourcedId }
    : { because: `it is taken from the class’s school, and class '${String(data.classSourcedId)}' has none` };
}
