import { Entity, Property } from '@mikro-orm/core';
import { OneRosterBase } from './one-roster-base.entity';

@Entity({ tableName: 'orgs' })
export class Org extends OneRosterBase {
  @Property({ type: 'text' })
  name!: string;

  /** department | school | district | local | state | national */
  @Property({ type: 'text' })
  type!: string;

  @Property({ type: 'text', nullable: true })
  identifier?: string | null;

  @Property({ type: 'text', nullable: true })
  parentSourcedId?: string | null;
}
