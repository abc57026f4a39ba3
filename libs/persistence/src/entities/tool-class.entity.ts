import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** The class (group) a tool keeps per (tool, account, lesson), created on first assignment and reused. */
@Entity({ tableName: 'tool_classes' })
export class ToolClass {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'text' })
  tool!: string;

  @PrimaryKey({ type: 'text' })
  account!: string;

  @PrimaryKey({ type: 'text' })
  lessonSourcedId!: string;

  @Property({ type: 'text' })
  classId!: string;

  @Property({ type: 'text', nullable: true })
  classCode?: string | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
