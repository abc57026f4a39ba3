import { Entity, Index, Property } from '@mikro-orm/core';
import { OneRosterBase } from './one-roster-base.entity';

/** A lesson: a course component's slot that points at a resource. */
@Entity({ tableName: 'component_resources' })
export class ComponentResource extends OneRosterBase<'sortOrder'> {
  @Property({ type: 'text' })
  title!: string;

  @Index()
  @Property({ type: 'text' })
  courseComponentSourcedId!: string;

  @Index()
  @Property({ type: 'text' })
  resourceSourcedId!: string;

  @Property({ type: 'integer', default: 0 })
  sortOrder: number = 0;

  /** TimeBack extension; takes precedence over metadata.lessonType. */
  @Property({ type: 'text', nullable: true })
  lessonType?: string | null;
}
