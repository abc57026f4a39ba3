import { Entity, Property } from '@mikro-orm/core';
import { OneRosterBase } from './one-roster-base.entity';

/**
 * A OneRoster resource. For external tests, `metadata` carries `toolProvider`, `lessonType`, `subject`,
 * `grades`, `vendorId`, `launchUrl` and `courseIdOnFail` (ARCHITECTURE.md §4).
 */
@Entity({ tableName: 'resources' })
export class Resource extends OneRosterBase<'roles'> {
  @Property({ type: 'text' })
  title!: string;

  @Property({ type: 'jsonb', default: '[]' })
  roles: string[] = [];

  @Property({ type: 'text', nullable: true })
  importance?: string | null;

  @Property({ type: 'text' })
  vendorResourceId!: string;

  @Property({ type: 'text', nullable: true })
  vendorId?: string | null;

  @Property({ type: 'text', nullable: true })
  applicationId?: string | null;
}
