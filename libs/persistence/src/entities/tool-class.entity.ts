import { Entity, Enum, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * A class (group) we made at a tool for one (account, lesson, attempt, cohort): every student's first attempt of the
 * lesson shares attempt 1's class, a retake gets the class of its attempt number (Edulastic allows one
 * attempt per assignment in a class). `creating` rows are leased by the request creating the class; `ref`
 * travels with the class (its description), so a class made just before a crash is found and used.
 */
@Entity({ tableName: 'tool_classes' })
@Unique({ name: 'tool_classes_external_unique', properties: ['tool', 'account', 'externalId'] })
export class ToolClass {
  [OptionalProps]?: 'state' | 'createdAt' | 'cohort';

  @PrimaryKey({ type: 'text' })
  tool!: string;

  @PrimaryKey({ type: 'text' })
  account!: string;

  @PrimaryKey({ type: 'text' })
  lessonSourcedId!: string;

  @PrimaryKey({ type: 'integer' })
  attempt!: number;

  /**
   * `''`: the class every student's attempt of that number shares. A student's sourcedId: a class of that student's
   * own, for an attempt whose tool user holds the lesson's test in the shared class through another student's record
   * (the email passed on; Edulastic gives a user one assignment of a test per class and takes nothing back).
   */
  @PrimaryKey({ type: 'text', default: '' })
  cohort: string = '';

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
