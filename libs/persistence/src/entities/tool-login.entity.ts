import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** A student's login on a tool account, so later assignments reuse it instead of resetting the password. */
@Entity({ tableName: 'tool_logins' })
export class ToolLogin {
  [OptionalProps]?: 'updatedAt';

  @PrimaryKey({ type: 'text' })
  tool!: string;

  @PrimaryKey({ type: 'text' })
  account!: string;

  @PrimaryKey({ type: 'text' })
  studentSourcedId!: string;

  @Property({ type: 'text' })
  externalUserId!: string;

  /** AES-256-GCM sealed `{email,password}`. */
  @Property({ type: 'text', hidden: true })
  credentialsSealed!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
