import { Migration } from '@mikro-orm/migrations';

/** One request at a time asks a tool for a student's assignments (tool_seats); which attempts asked without an answer. */
export class Migration20261129143346 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "tool_seats" ("tool" text not null, "account" text not null, "student_sourced_id" text not null, "lease_token" uuid null, "lease_until" timestamptz null, "holder" text null, constraint "tool_seats_pkey" primary key ("tool", "account", "student_sourced_id"));`,
    );

    this.addSql(`alter table "tool_assignments" add column "called" boolean not null default false;`);
    // An attempt left pending before this migration may have asked the tool: count it as such.
    this.addSql(`update "tool_assignments" set "called" = true where "state" = 'pending';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "tool_seats" cascade;`);

    this.addSql(`alter table "tool_assignments" drop column "called";`);
  }
}
