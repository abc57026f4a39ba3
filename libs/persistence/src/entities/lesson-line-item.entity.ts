import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * The line item the assignment flow made for a lesson, recorded so the flow finds its own column by what it
 * recorded; other gradebook writers may keep as many line items per lesson as they like.
 */
@Entity({ tableName: 'lesson_line_items' })
export class LessonLineItem {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'text' })
  lessonSourcedId!: string;

  @Unique({ name: 'lesson_line_items_line_item_unique' })
  @Property({ type: 'text' })
  lineItemSourcedId!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
