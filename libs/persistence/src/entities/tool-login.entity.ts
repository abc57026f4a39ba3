import { Entity, Enum, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** One login per user at the tool: two students with one email are refused it (ToolLoginRepository). */
export const LOGIN_EXTERNAL_UNIQUE = 'tool_logins_external_unique';

/**
 * A student's login on a tool account. The password is recorded (sealed) before we set it at the tool and
 * the tool's user id after, under a lease that serializes the login steps of one (tool, account, student):
 * parallel lessons of a new student end with one login, and it is the one stored.
 */
@Entity({ tableName: 'tool_logins' })
@Unique({ name: LOGIN_EXTERNAL_UNIQUE, properties: ['tool', 'account', 'externalUserId'] })
export class ToolLogin {
  [OptionalProps]?: 'state' | 'updatedAt';

  @PrimaryKey({ type: 'text' })
  tool!: string;

  @PrimaryKey({ type: 'text' })
  account!: string;

  @PrimaryKey({ type: 'text' })
  studentSourcedId!: string;

  @Enum({ items: ['pending', 'ready'], default: 'pending' })
  state: 'pending' | 'ready' = 'pending';

  @Property({ type: 'uuid', nullable: true })
  leaseToken?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  leaseUntil?: Date | null;

  /** The tool's user id, once the login works. */
  @Property({ type: 'text', nullable: true })
  externalUserId?: string | null;

  /**
   * The email (lower-cased) the tool knows that user by, written with the user: whether the student is still that
   * user is read against it (ToolLoginRepository's FREE_STALE_LOGIN), never against another student's email.
   */
  @Property({ type: 'text', nullable: true })
  toolUser?: string | null;

  /** AES-256-GCM sealed `{email,password}`: the password set (or about to be set) at the tool. */
  @Property({ type: 'text', hidden: true })
  credentialsSealed!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
