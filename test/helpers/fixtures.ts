import { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { ComponentResource, Course, CourseComponent, Resource, User } from '@external-tests/persistence';

export const uid = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

export interface StudentFixture {
  sourcedId: string;
  email: string;
}

/** Arrange-step inserts (the OneRoster endpoints have their own tests). */
export async function createStudent(orm: MikroORM, overrides: Partial<User> = {}): Promise<StudentFixture> {
  const em = orm.em.fork();
  const sourcedId = overrides.sourcedId ?? uid('student');
  const user = em.create(User, {
    sourcedId,
    givenName: 'Ada',
    familyName: 'Lovelace',
    email: `${sourcedId}@example.org`,
    role: 'student',
    roles: [{ roleType: 'primary', role: 'student', org: { sourcedId: 'org-1' } }],
    ...overrides,
  });
  await em.persistAndFlush(user);
  return { sourcedId, email: user.email ?? '' };
}

export interface LessonOptions {
  toolProvider?: string;
  lessonType?: string;
  subject?: string;
  grades?: string[];
  vendorId?: string | null;
  resourceMetadata?: Record<string, unknown>;
  /** Put lessonType on the componentResource column instead of the resource metadata. */
  lessonTypeOnComponentResource?: boolean;
  /** The course's org (an existing org): the lesson belongs to it for org-restricted tokens. */
  courseOrg?: string;
}

export interface LessonFixture {
  sourcedId: string;
  resourceSourcedId: string;
  courseSourcedId: string;
}

export async function createLesson(orm: MikroORM, o: LessonOptions = {}): Promise<LessonFixture> {
  const em = orm.em.fork();
  const courseId = uid('course');
  const componentId = uid('unit');
  const resourceId = uid('resource');
  const lessonId = uid('lesson');
  const lessonType = o.lessonType ?? 'test-out';
  em.create(Course, { sourcedId: courseId, title: 'Math 3', orgSourcedId: o.courseOrg ?? null });
  em.create(CourseComponent, { sourcedId: componentId, title: 'Unit 1', courseSourcedId: courseId });
  em.create(Resource, {
    sourcedId: resourceId,
    title: 'External test',
    vendorResourceId: resourceId,
    vendorId: o.vendorId ?? null,
    metadata: {
      toolProvider: o.toolProvider ?? 'mastery-track',
      ...(o.lessonTypeOnComponentResource ? {} : { lessonType }),
      subject: o.subject ?? 'Math',
      grades: o.grades ?? ['3'],
      ...o.resourceMetadata,
    },
  });
  em.create(ComponentResource, {
    sourcedId: lessonId,
    title: `${lessonType} lesson`,
    courseComponentSourcedId: componentId,
    resourceSourcedId: resourceId,
    lessonType: o.lessonTypeOnComponentResource ? lessonType : null,
  });
  await em.flush();
  return { sourcedId: lessonId, resourceSourcedId: resourceId, courseSourcedId: courseId };
}
