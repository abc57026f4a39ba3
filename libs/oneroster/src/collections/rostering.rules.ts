import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '@app/common';
import { Course, SchoolClass } from '@app/persistence';

/** A class needs a school (the schema requires it): the given one, else its course's org. */
export async function prepareClass(em: EntityManager, data: Record<string, unknown>) {
  if (data.schoolSourcedId) return data;
  const course = data.courseSourcedId ? await em.findOne(Course, { sourcedId: data.courseSourcedId as string }) : null;
  if (!course?.orgSourcedId) throw AppError.unprocessable('class.school is required (or a course with an org)', 'class.school');
  return { ...data, schoolSourcedId: course.orgSourcedId };
}

/** An enrollment needs a school: the given one, else its class's school. */
export async function prepareEnrollment(em: EntityManager, data: Record<string, unknown>) {
  if (data.schoolSourcedId) return data;
  const cls = await em.findOne(SchoolClass, { sourcedId: data.classSourcedId as string });
  if (!cls?.schoolSourcedId) throw AppError.unprocessable('enrollment.school is required (or a class with a school)', 'enrollment.school');
  return { ...data, schoolSourcedId: cls.schoolSourcedId };
}
