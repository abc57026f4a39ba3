import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * The lesson createExternalTestOut / createExternalPlacementTest made (or took over) for a target: one test-out
 * per course (grade ''), one placement per (course, grade). The primary key is the guarantee that a repeated or
 * parallel call updates this lesson and never makes a second one.
 */
@Entity({ tableName: 'external_test_lessons' })
export class ExternalTestLesson {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'text' })
  courseSourcedId!: string;

  @PrimaryKey({ type: 'text' })
  lessonType!: 'test-out' | 'placement';

  /** The placement's grade (the first of its grades); '' for a test-out. */
  @PrimaryKey({ type: 'text' })
  grade!: string;

  @Unique({ name: 'external_test_lessons_lesson_unique' })
  @Property({ type: 'text' })
  lessonSourcedId!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
