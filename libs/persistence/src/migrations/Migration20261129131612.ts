import { Migration } from '@mikro-orm/migrations';

/** The lesson each authoring target (test-out of a course, placement of a course and grade) has: external_test_lessons. */
export class Migration20261129131612 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "external_test_lessons" ("course_sourced_id" text not null, "lesson_type" text not null, "grade" text not null, "lesson_sourced_id" text not null, "created_at" timestamptz not null default now(), constraint "external_test_lessons_pkey" primary key ("course_sourced_id", "lesson_type", "grade"));`,
    );
    this.addSql(
      `alter table "external_test_lessons" add constraint "external_test_lessons_lesson_unique" unique ("lesson_sourced_id");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "external_test_lessons" cascade;`);
  }
}
