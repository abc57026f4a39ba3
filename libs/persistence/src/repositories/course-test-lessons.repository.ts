import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { runPrepared } from '../prepared-statement';
import type { OneRosterStatus } from '../entities/one-roster-base.entity';

export interface CourseRecord {
  sourcedId: string;
  status: OneRosterStatus;
  title: string;
  org: string | null;
  subjects: string[];
}

/** An active lesson of one of the course's active units, with what its lessonType and grades are read from. */
export interface CourseLessonRecord {
  sourcedId: string;
  /** componentResource.lessonType (the column) and metadata. */
  lessonType: string | null;
  metadata: Record<string, unknown> | null;
  /** The metadata of its resource, when that is active. */
  resourceMetadata: Record<string, unknown> | null;
}

/** A row of external_test_lessons: the lesson an authoring target has. */
export interface RecordedTestLesson {
  lessonType: string;
  grade: string;
  lessonSourcedId: string;
}

/** A course with its lessons and the authoring targets recorded for it, read in one round trip. */
export interface CourseTestLessons {
  course: CourseRecord;
  recorded: RecordedTestLesson[];
  /** In unit order, then lesson order. */
  lessons: CourseLessonRecord[];
}

const SQL = `
select c.sourced_id, c.status, c.title, c.org_sourced_id, c.subjects,
  coalesce((select jsonb_agg(jsonb_build_object('lessonType', m.lesson_type, 'grade', m.grade, 'lessonSourcedId', m.lesson_sourced_id))
            from external_test_lessons m where m.course_sourced_id = c.sourced_id), '[]') recorded,
  coalesce((select jsonb_agg(jsonb_build_object('sourcedId', cr.sourced_id, 'lessonType', cr.lesson_type, 'metadata', cr.metadata,
                                                'resourceMetadata', r.metadata)
                             order by cc.sort_order, cc.sourced_id, cr.sort_order, cr.sourced_id)
            from course_components cc
            join component_resources cr on cr.course_component_sourced_id = cc.sourced_id and cr.status = 'active'
            left join resources r on r.sourced_id = cr.resource_sourced_id and r.status = 'active'
            where cc.course_sourced_id = c.sourced_id and cc.status = 'active'), '[]') lessons
from courses c where c.sourced_id = ?`;

interface Row {
  sourced_id: string;
  status: OneRosterStatus;
  title: string;
  org_sourced_id: string | null;
  subjects: string[] | null;
  recorded: RecordedTestLesson[];
  lessons: CourseLessonRecord[];
}

/** What the authoring endpoints and testOut read about a course (courses, course_components, component_resources, resources). */
@Injectable()
export class CourseTestLessonsRepository {
  constructor(private readonly em: EntityManager) {}

  /** Undefined when the course does not exist (whatever its status, it is returned otherwise). */
  async read(course: string): Promise<CourseTestLessons | undefined> {
    const [r] = await runPrepared<Row>(this.em, SQL, [course]);
    if (!r) return undefined;
    return {
      course: {
        sourcedId: r.sourced_id,
        status: r.status,
        title: r.title,
        org: r.org_sourced_id,
        subjects: r.subjects ?? [],
      },
      recorded: r.recorded,
      lessons: r.lessons,
    };
  }
}
