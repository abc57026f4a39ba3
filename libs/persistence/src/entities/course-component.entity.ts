import { Entity, Index, Property } from '@mikro-orm/core';
import { OneRosterBase } from './one-roster-base.entity';

/** A unit of a course (TimeBack's courses/components extension). */
@Entity({ tableName: 'course_components' })
export class CourseComponent extends OneRosterBase<'sortOrder' | 'prerequisites'> {
  @Property({ type: 'text' })
  title!: string;

  @Index()
  @Property({ type: 'text' })
  courseSourcedId!: string;

  @Property({ type: 'text', nullable: true })
  parentSourcedId?: string | null;

  @Property({ type: 'integer', default: 0 })
  sortOrder: number = 0;

  @Property({ type: 'jsonb', default: '[]' })
  prerequisites: string[] = [];

  @Property({ type: 'text', nullable: true })
  prerequisiteCriteria?: string | null;

  @Property({ type: 'text', nullable: true })
  unlockDate?: string | null;
}
