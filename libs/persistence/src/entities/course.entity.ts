import { Entity, Property } from '@mikro-orm/core';
import { OneRosterBase } from './one-roster-base.entity';

@Entity({ tableName: 'courses' })
export class Course extends OneRosterBase<'grades' | 'subjects' | 'subjectCodes'> {
  @Property({ type: 'text' })
  title!: string;

  @Property({ type: 'text', nullable: true })
  courseCode?: string | null;

  @Property({ type: 'jsonb', default: '[]' })
  grades: string[] = [];

  @Property({ type: 'jsonb', default: '[]' })
  subjects: string[] = [];

  @Property({ type: 'jsonb', default: '[]' })
  subjectCodes: string[] = [];

  @Property({ type: 'text', nullable: true })
  orgSourcedId?: string | null;

  @Property({ type: 'text', nullable: true })
  schoolYearSourcedId?: string | null;

  @Property({ type: 'jsonb', nullable: true })
  level?: string | null;

  @Property({ type: 'text', nullable: true })
  gradingScheme?: string | null;
}
