import { Entity, Index, Property } from '@mikro-orm/core';
import { OneRosterBase } from './one-roster-base.entity';

@Entity({ tableName: 'enrollments' })
@Index({ properties: ['userSourcedId', 'classSourcedId'] })
export class Enrollment extends OneRosterBase {
  /** administrator | proctor | student | teacher */
  @Property({ type: 'text' })
  role!: string;

  /** The spec's default is false; an enrollment always says which (null was never a OneRoster value). */
  @Property({ type: 'boolean', default: false })
  primary: boolean = false;

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
