import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Principal } from '@external-tests/auth';
import { AppError, ErrorCode } from '@external-tests/common';
import {
  ComponentResource,
  Course,
  CourseComponent,
  CourseTestLessons,
  CourseTestLessonsRepository,
  ExternalTestLesson,
  Resource,
} from '@external-tests/persistence';
import { ExternalTestProvider, LessonSpec, ProviderRegistry } from '@external-tests/providers';
import { CreateExternalTestInputDto } from '../dto/create-external-test.dto';
import { ExternalTestLessonDto } from '../dto/external-test-lesson.dto';
import { metaString } from '../lesson-fields';
import { checkCourse, targetOf, TestTarget, unrecordedLessonOf } from './test-targets';

/**
 * The resource.metadata keys a call owns: what it writes, and the other spellings lesson-fields.ts reads (`grade`,
 * `subjects`), so none of them outlives the call. Keys a OneRoster client set besides stay.
 */
const LESSON_KEYS = [
  'lessonType',
  'toolProvider',
  'subject',
  'subjects',
  'grades',
  'grade',
  'vendorId',
  'launchUrl',
  'courseIdOnFail',
  'xp',
  'description',
];

/**
 * createExternalPlacementTest / createExternalTestOut: the unit, resource and component resource that make the
 * target's lesson, created or updated in one transaction. The target's row in external_test_lessons is claimed
 * first and held (row lock) until commit, so repeated and parallel calls update one lesson with the same ids.
 */
@Injectable()
export class ExternalTestAuthoringService {
  constructor(
    private readonly em: EntityManager,
    private readonly courses: CourseTestLessonsRepository,
    private readonly providers: ProviderRegistry,
  ) {}

  createOrUpdate(input: CreateExternalTestInputDto, principal?: Principal): Promise<ExternalTestLessonDto> {
    return this.em.transactional(async (em) => {
      const c = checkCourse(await this.courses.read(input.courseId), input.courseId, principal);
      if (input.courseIdOnFail) await this.checkCourseOnFail(em, input.courseIdOnFail, principal);
      const givenUnit = input.courseComponentSourcedId
        ? await this.givenUnit(em, input.courseComponentSourcedId, input.courseId, principal)
        : undefined;
      const target = targetOf(input.courseId, input.lessonType, input.grades);
      const provider = this.providers.get(input.toolProvider);

      const lessonId = await this.claim(em, target, unrecordedLessonOf(c, target));
      const lesson = await em.findOne(ComponentResource, { sourcedId: lessonId });
      const resource = lesson ? await em.findOne(Resource, { sourcedId: lesson.resourceSourcedId }) : null;
      checkSameTool(resource, input.toolProvider, target, lessonId);
      const subject = c.course.subjects[0];
      const title = input.lessonTitle ?? lesson?.title ?? defaultTitle(c, target);
      checkTool(
        provider,
        {
          sourcedId: lessonId,
          title,
          lessonType: target.lessonType,
          subject,
          grades: input.grades,
          vendorId: input.vendorId,
        },
        input.courseId,
      );

      const currentUnit = lesson
        ? await em.findOne(CourseComponent, { sourcedId: lesson.courseComponentSourcedId })
        : null;
      const unit =
        givenUnit ??
        (currentUnit?.courseSourcedId === input.courseId
          ? currentUnit
          : em.create(CourseComponent, {
              sourcedId: randomUUID(),
              title: input.unitTitle ?? title,
              courseSourcedId: input.courseId,
            }));
      Object.assign(unit, { title: input.unitTitle ?? unit.title, status: 'active' });

      const resourceId = lesson?.resourceSourcedId ?? randomUUID();
      const res =
        resource ??
        em.create(Resource, { sourcedId: resourceId, title, vendorResourceId: input.vendorId ?? resourceId });
      const metadata = { ...withoutLessonKeys(resource?.metadata), ...lessonMetadata(input, subject) };
      Object.assign(res, {
        title: input.lessonTitle ?? res.title,
        vendorId: input.vendorId ?? null,
        metadata,
        status: 'active',
      });

      const cr =
        lesson ??
        em.create(ComponentResource, {
          sourcedId: lessonId,
          title,
          courseComponentSourcedId: unit.sourcedId,
          resourceSourcedId: res.sourcedId,
        });
      Object.assign(cr, {
        title,
        courseComponentSourcedId: unit.sourcedId,
        resourceSourcedId: res.sourcedId,
        lessonType: target.lessonType,
        status: 'active',
      });
      return answer(input, target, { lessonId, courseComponentId: unit.sourcedId, resourceId: res.sourcedId });
    });
  }

  /**
   * The target's lesson id, its row locked until commit. A first call records a lesson the course already has
   * (made through OneRoster) or a new id; a parallel first call waits on that insert and then takes its row.
   */
  private async claim(em: EntityManager, t: TestTarget, unrecorded: string | undefined): Promise<string> {
    const key = { courseSourcedId: t.courseSourcedId, lessonType: t.lessonType, grade: t.grade };
    await em
      .createQueryBuilder(ExternalTestLesson)
      .insert({ ...key, lessonSourcedId: unrecorded ?? randomUUID() })
      .onConflict(['courseSourcedId', 'lessonType', 'grade'])
      .ignore()
      .execute();
    const row = await em.findOneOrFail(ExternalTestLesson, key, {
      lockMode: LockMode.PESSIMISTIC_WRITE,
      refresh: true,
    });
    return row.lessonSourcedId;
  }

  /** courseIdOnFail must name a course the caller can see, like `courseId` (404 otherwise). */
  private async checkCourseOnFail(em: EntityManager, id: string, principal?: Principal): Promise<void> {
    const course = await em.findOne(Course, { sourcedId: id });
    if (!course || course.status !== 'active' || (principal?.org && course.orgSourcedId !== principal.org)) {
      throw new AppError(ErrorCode.NotFound, `courseIdOnFail: course '${id}' not found`, {
        details: [{ field: 'courseIdOnFail', value: id }],
      });
    }
  }

  /** The unit named by courseComponentSourcedId: 404 when missing or not the caller's to see, 422 when another course's. */
  private async givenUnit(
    em: EntityManager,
    id: string,
    course: string,
    principal?: Principal,
  ): Promise<CourseComponent> {
    const unit = await em.findOne(CourseComponent, { sourcedId: id });
    const notFound = () =>
      new AppError(ErrorCode.NotFound, `Course component '${id}' not found`, {
        details: [{ field: 'courseComponentSourcedId', value: id }],
      });
    if (!unit || unit.status !== 'active') throw notFound();
    if (unit.courseSourcedId !== course) {
      // A unit of another org's course is not found, as a missing one is: neither it nor its course is told.
      if (principal?.org) {
        const owner = await em.findOne(Course, { sourcedId: unit.courseSourcedId });
        if (owner?.orgSourcedId !== principal.org) throw notFound();
      }
      throw AppError.invalidData(
        `Course component '${id}' belongs to course '${unit.courseSourcedId}', not '${course}'`,
        'courseComponentSourcedId',
      );
    }
    return unit;
  }
}

/** The contract: the caller must change an existing lesson's tool through its Resource first. */
function checkSameTool(resource: Resource | null, toolProvider: string, t: TestTarget, lessonId: string): void {
  const stored = metaString(resource?.metadata, 'toolProvider');
  if (!resource || stored === toolProvider) return;
  throw AppError.invalidData(
    `The ${t.lessonType} lesson '${lessonId}' of course '${t.courseSourcedId}'${t.grade ? ` for grade ${t.grade}` : ''} uses ` +
      `toolProvider '${stored ?? ''}': update its Resource '${resource.sourcedId}' (metadata.toolProvider) first`,
    'toolProvider',
  );
}

function answer(
  input: CreateExternalTestInputDto,
  t: TestTarget,
  ids: Pick<ExternalTestLessonDto, 'lessonId' | 'courseComponentId' | 'resourceId'>,
): ExternalTestLessonDto {
  return {
    lessonType: t.lessonType,
    ...ids,
    ...(input.launchUrl !== undefined ? { launchUrl: input.launchUrl } : {}),
    toolProvider: input.toolProvider,
    ...(input.vendorId !== undefined ? { vendorId: input.vendorId } : {}),
    ...(t.lessonType === 'placement' ? { courseIdOnFail: input.courseIdOnFail ?? null } : {}),
    grades: input.grades,
  };
}

function defaultTitle(c: CourseTestLessons, t: TestTarget): string {
  return t.lessonType === 'test-out' ? `${c.course.title} test-out` : `${c.course.title} placement (grade ${t.grade})`;
}

/** What lesson-fields.ts reads, as the input says; an optional member the input leaves out is removed. */
function lessonMetadata(input: CreateExternalTestInputDto, subject: string | undefined): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    lessonType: input.lessonType,
    toolProvider: input.toolProvider,
    subject,
    grades: input.grades,
    vendorId: input.vendorId,
    launchUrl: input.launchUrl,
    courseIdOnFail: input.courseIdOnFail ?? undefined,
    xp: input.xp,
    description: input.description,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

function withoutLessonKeys(meta: Record<string, unknown> | null | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(meta ?? {}).filter(([k]) => !LESSON_KEYS.includes(k)));
}

/**
 * The lesson must work with makeExternalTestAssignment at once: the tool's own rule decides (MasteryTrack needs a
 * subject and a K–12 grade, Edulastic a vendorId). The subject is not in the input, so the answer says where it
 * comes from.
 */
function checkTool(provider: ExternalTestProvider, lesson: LessonSpec, course: string): void {
  try {
    provider.checkLesson(lesson);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    const subject = lesson.subject ? `'${lesson.subject}'` : 'none';
    throw new AppError(
      e.code,
      `${e.message}. This endpoint takes the subject from the course's subjects (course '${course}' has ${subject}) and grades and vendorId from the request`,
      e.options,
    );
  }
}
