import { Migration } from '@mikro-orm/migrations';

/**
 * The ledger (docs/ledger.md): tool assignments, classes and logins as rows of their own with one purpose
 * each, and the flow's line item per lesson recorded instead of implied by a unique index. Existing data is
 * carried over: result rows the flow made become ledger rows, cached classes and logins become recorded ones.
 */
export class Migration20261129120453 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "lesson_line_items" ("lesson_sourced_id" text not null, "line_item_sourced_id" text not null, "created_at" timestamptz not null default now(), constraint "lesson_line_items_pkey" primary key ("lesson_sourced_id"));`,
    );
    this.addSql(
      `alter table "lesson_line_items" add constraint "lesson_line_items_line_item_unique" unique ("line_item_sourced_id");`,
    );
    this.addSql(`insert into "lesson_line_items" ("lesson_sourced_id", "line_item_sourced_id")
      select "component_resource_sourced_id", "sourced_id" from "assessment_line_items"
      where "parent_sourced_id" is null and "component_resource_sourced_id" is not null and "metadata"->>'origin' is not null
      on conflict do nothing;`);

    this.addSql(
      `create table "tool_assignments" ("result_sourced_id" text not null, "lesson_sourced_id" text not null, "student_sourced_id" text not null, "attempt" int not null, "tool" text null, "account" text null, "state" text check ("state" in ('open', 'pending', 'assigned')) not null default 'open', "lease_token" uuid null, "lease_until" timestamptz null, "external_id" text null, "class_id" text null, "test_id" text null, "test_title" text null, "test_url" text null, "request" jsonb not null default '{}', "created_at" timestamptz not null default now(), "assigned_at" timestamptz null, constraint "tool_assignments_pkey" primary key ("result_sourced_id"));`,
    );
    this.addSql(`create index "tool_assignments_state_index" on "tool_assignments" ("state", "lease_until");`);
    this.addSql(
      `create index "tool_assignments_student_index" on "tool_assignments" ("student_sourced_id", "tool", "account");`,
    );
    this.addSql(
      `alter table "tool_assignments" add constraint "tool_assignments_external_unique" unique ("tool", "account", "external_id");`,
    );
    this.addSql(
      `alter table "tool_assignments" add constraint "tool_assignments_purpose_unique" unique ("lesson_sourced_id", "student_sourced_id", "attempt");`,
    );
    this
      .addSql(`insert into "tool_assignments" ("result_sourced_id", "lesson_sourced_id", "student_sourced_id", "attempt", "tool", "account", "state", "external_id", "class_id", "test_id", "test_url", "request", "assigned_at")
      select ar."sourced_id", l."lesson_sourced_id", ar."student_sourced_id", ar."attempt", ar."metadata"->>'toolProvider',
             coalesce(ar."metadata"->>'applicationName', 'default'),
             case ar."assignment_state" when 'assigned' then 'assigned' when 'assigning' then 'pending' else 'open' end,
             case when ar."assignment_state" = 'assigned' then ar."metadata"->>'assignmentId' end,
             nullif(ar."metadata"->>'classId', ''), ar."metadata"->>'testId', ar."metadata"->>'testUrl',
             jsonb_build_object('applicationName', ar."metadata"->'applicationName', 'requestedTestId', ar."metadata"->'requestedTestId',
                                'skipCourseEnrollment', coalesce(ar."metadata"->'skipCourseEnrollment', 'false'::jsonb)),
             case when ar."assignment_state" = 'assigned' then ar."date_last_modified" end
      from "assessment_results" ar join "lesson_line_items" l on l."line_item_sourced_id" = ar."line_item_sourced_id"
      where ar."metadata"->>'toolProvider' is not null
      order by ar."date_last_modified"
      on conflict do nothing;`);

    this.addSql(`drop index "assessment_line_items_lesson_unique";`);
    this.addSql(
      `alter table "assessment_results" drop column "assignment_state", drop column "lease_token", drop column "lease_until", drop column "credentials_sealed";`,
    );

    // Cached classes become recorded classes of attempt 1.
    this.addSql(`alter table "tool_classes" drop constraint "tool_classes_pkey";`);
    this.addSql(`alter table "tool_classes" rename column "class_id" to "external_id";`);
    this.addSql(`alter table "tool_classes" alter column "external_id" drop not null;`);
    this.addSql(
      `alter table "tool_classes" add column "attempt" int not null default 1, add column "state" text check ("state" in ('creating', 'created')) not null default 'created', add column "ref" uuid not null default gen_random_uuid(), add column "lease_token" uuid null, add column "lease_until" timestamptz null;`,
    );
    this.addSql(
      `alter table "tool_classes" alter column "attempt" drop default, alter column "ref" drop default, alter column "state" set default 'creating';`,
    );
    this.addSql(
      `alter table "tool_classes" add constraint "tool_classes_external_unique" unique ("tool", "account", "external_id");`,
    );
    this.addSql(
      `alter table "tool_classes" add constraint "tool_classes_pkey" primary key ("tool", "account", "lesson_sourced_id", "attempt");`,
    );

    // Remembered logins are ready logins.
    this.addSql(
      `alter table "tool_logins" add column "state" text check ("state" in ('pending', 'ready')) not null default 'ready', add column "lease_token" uuid null, add column "lease_until" timestamptz null;`,
    );
    this.addSql(`alter table "tool_logins" alter column "state" set default 'pending';`);
    this.addSql(`alter table "tool_logins" alter column "external_user_id" drop not null;`);
    this.addSql(
      `alter table "tool_logins" add constraint "tool_logins_external_unique" unique ("tool", "account", "external_user_id");`,
    );
  }
}
