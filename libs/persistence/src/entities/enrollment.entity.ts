import { Entity, Index, Property } from '@mikro-orm/core';
import { OneRosterBase } from './one-roster-base.entity';

@Entity({ tableName: 'enrollments' })
@Index({ properties: ['userSourcedId', 'classSourcedId'] })
export class Enrollment extends OneRosterBase {
  /** administrator | proctor | student | teacher */
  @Property({ type: 'text' })
  role!: string;

  @Property({ type: 'boolean', nullable: true })
  primary?: boolean | null;

  @Property({ type: 'text', nullable: true })
  beginDate?: string | null;

  @Property({ type: 'text', nullable: true })
  endDate?: string | null;

  @Property({ type: 'text' })
  userSourcedId!: string;

  @Index()
  @Property({ type: 'text' })
  classSourcedId!: string;

  @Property({ type: 'text', nullable: true })
  schoolSourcedId?: string | null;
}
