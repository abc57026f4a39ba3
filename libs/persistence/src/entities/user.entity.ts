import { Check, Entity, Index, Property } from '@mikro-orm/core';
import { OneRosterBase, SourcedRef } from './one-roster-base.entity';

export interface UserRole {
  roleType: 'primary' | 'secondary';
  role: string;
  org: SourcedRef;
  userProfile?: string;
  beginDate?: string | null;
  endDate?: string | null;
}

@Entity({ tableName: 'users' })
// The tools trim an email they are given, and every statement compares lower(email): an email stored with whitespace
// around it would be a user of its own here and another student's user at the tool. The API's email format refuses
// it; this holds for every other writer. trimmed_email trims what JavaScript's trim does (Migration20261204080000).
@Check({ name: 'users_email_trimmed', expression: '"email" = trimmed_email("email")' })
export class User extends OneRosterBase<'enabledUser' | 'roles' | 'userIds' | 'agents' | 'grades'> {
  @Property({ type: 'boolean', default: true })
  enabledUser: boolean = true;

  @Property({ type: 'text' })
  givenName!: string;

  @Property({ type: 'text' })
  familyName!: string;

  @Property({ type: 'text', nullable: true })
  middleName?: string | null;

  @Index()
  @Property({ type: 'text', nullable: true })
  email?: string | null;

  @Property({ type: 'text', nullable: true })
  username?: string | null;

  @Property({ type: 'text', nullable: true })
  identifier?: string | null;

  @Property({ type: 'text', nullable: true })
  userMasterIdentifier?: string | null;

  @Property({ type: 'jsonb', default: '[]' })
  roles: UserRole[] = [];

  /** Denormalised from `roles` (the primary role) so filters and the assignment flow read one column. */
  @Index()
  @Property({ type: 'text', nullable: true })
  role?: string | null;

  @Property({ type: 'text', nullable: true })
  primaryOrgSourcedId?: string | null;

  @Property({ type: 'jsonb', default: '[]' })
  userIds: { type: string; identifier: string }[] = [];

  @Property({ type: 'jsonb', default: '[]' })
  agents: SourcedRef[] = [];

  @Property({ type: 'jsonb', default: '[]' })
  grades: string[] = [];

  @Property({ type: 'text', nullable: true })
  preferredFirstName?: string | null;

  @Property({ type: 'text', nullable: true })
  preferredMiddleName?: string | null;

  @Property({ type: 'text', nullable: true })
  preferredLastName?: string | null;

  @Property({ type: 'text', nullable: true })
  pronouns?: string | null;

  @Property({ type: 'text', nullable: true })
  sms?: string | null;

  @Property({ type: 'text', nullable: true })
  phone?: string | null;

  isStudent(): boolean {
    return this.role === 'student' || this.roles.some((r) => r.role === 'student');
  }
}
