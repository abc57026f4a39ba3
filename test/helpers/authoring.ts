import { MikroORM } from '@mikro-orm/postgresql';
import { Course, Org } from '@external-tests/persistence';
import { uid } from './fixtures';
import { countRows } from './rows';

export interface CourseOptions {
  subjects?: string[];
  org?: string;
  status?: 'active' | 'tobedeleted';
}

/** A course (in an org of its own unless given) for the authoring endpoints to put lessons in. */
export async function createCourse(orm: MikroORM, o: CourseOptions = {}): Promise<string> {
  const em = orm.em.fork();
  const org = o.org ?? uid('org');
  if (!(await em.findOne(Org, { sourcedId: org }))) em.create(Org, { sourcedId: org, name: org, type: 'school' });
  const sourcedId = uid('course');
  em.create(Course, {
    sourcedId,
    title: 'Math 4',
    subjects: o.subjects ?? ['Math'],
    orgSourcedId: org,
    status: o.status ?? 'active',
  });
  await em.flush();
  return sourcedId;
}

/** How many of the objects the authoring endpoints write exist (all courses). */
export async function authoredCounts(orm: MikroORM) {
  return {
    units: await countRows(orm, 'course_components', []),
    resources: await countRows(orm, 'resources', []),
    lessons: await countRows(orm, 'component_resources', []),
    targets: await countRows(orm, 'external_test_lessons', []),
  };
}

/** A lesson as stored: the component resource, its resource and its unit. */
export async function storedLesson(orm: MikroORM, lessonId: string) {
  const [row] = await orm.em
    .fork()
    .getConnection()
    .execute<Record<string, any>[]>(
      `select to_jsonb(cr) cr, to_jsonb(r) r, to_jsonb(cc) cc from component_resources cr
     left join resources r on r.sourced_id = cr.resource_sourced_id
     left join course_components cc on cc.sourced_id = cr.course_component_sourced_id
     where cr.sourced_id = ?`,
      [lessonId],
    );
  return row as { cr: Record<string, any>; r: Record<string, any>; cc: Record<string, any> } | undefined;
}

/** The active lessons of a course (any unit). */
export async function lessonsOfCourse(orm: MikroORM, course: string): Promise<string[]> {
  const rows = await orm.em
    .fork()
    .getConnection()
    .execute<{ id: string }[]>(
      `select cr.sourced_id id from component_resources cr join course_components cc on cc.sourced_id = cr.course_component_sourced_id
     where cc.course_sourced_id = ? and cr.status = 'active' order by cr.sourced_id`,
      [course],
    );
  return rows.map((r) => r.id);
}
