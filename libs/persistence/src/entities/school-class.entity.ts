import { Entity, Index, Property } from '@mikro-orm/core';
import { OneRosterBase, SourcedRef } from './one-roster-base.entity';

/** OneRoster `class` (named so it does not shadow the keyword in reading). */
@Entity({ tableName: 'classes' })
export class SchoolClass extends OneRosterBase<
  'classType' | 'terms' | 'grades' | 'subjects' | 'subjectCodes' | 'periods'
> {
  @Property({ type: 'text' })
  title!: string;

  @Property({ type: 'text', nullable: true })
  classCode?: string | null;

  /** homeroom | scheduled */
  @Property({ type: 'text', default: 'scheduled' })
  classType: string = 'scheduled';

  @Property({ type: 'text', nullable: true })
  location?: string | null;

  @Index()
  @Property({ type: 'text', nullable: true })
  courseSourcedId?: string | null;

  @Property({ type: 'text', nullable: true })
  schoolSourcedId?: string | null;

  @Property({ type: 'jsonb', default: '[]' })
  terms: SourcedRef[] = [];

  @Property({ type: 'jsonb', default: '[]' })
  grades: string[] = [];

  @Property({ type: 'jsonb', default: '[]' })
  subjects: string[] = [];

  @Property({ type: 'jsonb', default: '[]' })
  subjectCodes: string[] = [];

  @Property({ type: 'jsonb', default: '[]' })
  periods: string[] = [];
}
