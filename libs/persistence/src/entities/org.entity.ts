import { Entity, Index, Property } from '@mikro-orm/core';
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

  /** Indexed: an org's children are read by it (every org answered lists them). */
  @Index()
  @Property({ type: 'text', nullable: true })
  parentSourcedId?: string | null;
}
