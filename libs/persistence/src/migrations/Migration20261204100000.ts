import { Migration } from '@mikro-orm/migrations';

/**
 * `tool_classes.cohort`, part of the class's purpose: `''` for the class an attempt's students share (every existing
 * class), a student's sourcedId for a class of that student's own.
 */
export class Migration20261204100000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "tool_classes" add column "cohort" text not null default '';`);
    this.addSql(`alter table "tool_classes" drop constraint "tool_classes_pkey";`);
    this.addSql(
      `alter table "tool_classes" add constraint "tool_classes_pkey" primary key ("tool", "account", "lesson_sourced_id", "attempt", "cohort");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`delete from "tool_classes" where "cohort" <> '';`);
    this.addSql(`alter table "tool_classes" drop constraint "tool_classes_pkey";`);
    this.addSql(
      `alter table "tool_classes" add constraint "tool_classes_pkey" primary key ("tool", "account", "lesson_sourced_id", "attempt");`,
    );
    this.addSql(`alter table "tool_classes" drop column "cohort";`);
  }
}
