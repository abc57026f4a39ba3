import { Entity, Enum, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * A class (group) we made at a tool for one (account, lesson, attempt): every student's first attempt of the
 * lesson shares attempt 1's class, a retake gets the class of its attempt number (Edulastic allows one
 * attempt per assignment in a class). `creating` rows are leased by the request creating the class; `ref`
 * travels with the class (its description), so a class made just before a crash is found and used.
 */
@Entity({ tableName: 'tool_classes' })
@Unique({ name: 'tool_classes_external_unique', properties: ['tool', 'account', 'externalId'] })
export class ToolClass {
  [OptionalProps]?: 'state' | 'createdAt';

  @PrimaryKey({ type: 'text' })
  tool!: string;

  @PrimaryKey({ type: 'text' })
  account!: string;

  @PrimaryKey({ type: 'text' })
  lessonSourcedId!: string;

  @PrimaryKey({ type: 'integer' })
  attempt!: number;

  @Enum({ items: ['creating', 'created'], default: 'creating' })
  state: 'creating' | 'created' = 'creating';

  @Property({ type: 'uuid' })
  ref!: string;

  @Property({ type: 'uuid', nullable: true })
  leaseToken?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  leaseUntil?: Date | null;

  @Property({ type: 'text', nullable: true })
  externalId?: string | null;

  @Property({ type: 'text', nullable: true })
  classCode?: string | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
