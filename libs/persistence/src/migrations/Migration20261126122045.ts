import { Migration } from '@mikro-orm/migrations';

export class Migration20261126122045 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "assessment_line_items" ("sourced_id" text not null, "status" text check ("status" in ('active', 'tobedeleted')) not null default 'active', "date_last_modified" timestamptz not null default now(), "metadata" jsonb null, "title" text not null, "description" text null, "class_sourced_id" text null, "parent_sourced_id" text null, "component_sourced_id" text null, "component_resource_sourced_id" text null, "score_scale" jsonb null, "result_value_min" double precision null, "result_value_max" double precision null, "learning_objective_set" jsonb null, constraint "assessment_line_items_pkey" primary key ("sourced_id"));`,
    );
    this.addSql(
      `create index "assessment_line_items_date_last_modified_index" on "assessment_line_items" ("date_last_modified");`,
    );
    this.addSql(
      `create index "assessment_line_items_parent_sourced_id_index" on "assessment_line_items" ("parent_sourced_id");`,
    );
    this.addSql(
      `create unique index "assessment_line_items_lesson_unique" on "assessment_line_items" ("component_resource_sourced_id") where "parent_sourced_id" is null;`,
    );

    this.addSql(
      `create table "assessment_results" ("sourced_id" text not null, "status" text check ("status" in ('active', 'tobedeleted')) not null default 'active', "date_last_modified" timestamptz not null default now(), "metadata" jsonb null, "line_item_sourced_id" text not null, "student_sourced_id" text not null, "attempt" int not null default 1, "score" double precision null, "text_score" text null, "score_date" timestamptz not null default now(), "score_scale" jsonb null, "score_percentile" double precision null, "score_status" text check ("score_status" in ('exempt', 'fully graded', 'not submitted', 'partially graded', 'submitted')) not null default 'not submitted', "comment" text null, "learning_objective_set" jsonb null, "in_progress" text null, "incomplete" text null, "late" text null, "missing" text null, "assignment_state" text check ("assignment_state" in ('unassigned', 'assigning', 'assigned')) not null default 'unassigned', "lease_token" uuid null, "lease_until" timestamptz null, "credentials_sealed" text null, constraint "assessment_results_pkey" primary key ("sourced_id"));`,
    );
    this.addSql(
      `create index "assessment_results_date_last_modified_index" on "assessment_results" ("date_last_modified");`,
    );
    this.addSql(
      `create index "assessment_results_student_sourced_id_index" on "assessment_results" ("student_sourced_id");`,
    );
    this.addSql(
      `alter table "assessment_results" add constraint "assessment_results_attempt_unique" unique ("line_item_sourced_id", "student_sourced_id", "attempt");`,
    );

    this.addSql(
      `create table "component_resources" ("sourced_id" text not null, "status" text check ("status" in ('active', 'tobedeleted')) not null default 'active', "date_last_modified" timestamptz not null default now(), "metadata" jsonb null, "title" text not null, "course_component_sourced_id" text not null, "resource_sourced_id" text not null, "sort_order" int not null default 0, "lesson_type" text null, constraint "component_resources_pkey" primary key ("sourced_id"));`,
    );
    this.addSql(
      `create index "component_resources_date_last_modified_index" on "component_resources" ("date_last_modified");`,
    );
    this.addSql(
      `create index "component_resources_course_component_sourced_id_index" on "component_resources" ("course_component_sourced_id");`,
    );
    this.addSql(
      `create index "component_resources_resource_sourced_id_index" on "component_resources" ("resource_sourced_id");`,
    );

    this.addSql(
      `create table "courses" ("sourced_id" text not null, "status" text check ("status" in ('active', 'tobedeleted')) not null default 'active', "date_last_modified" timestamptz not null default now(), "metadata" jsonb null, "title" text not null, "course_code" text null, "grades" jsonb not null default '[]', "subjects" jsonb not null default '[]', "subject_codes" jsonb not null default '[]', "org_sourced_id" text null, "school_year_sourced_id" text null, "level" jsonb null, constraint "courses_pkey" primary key ("sourced_id"));`,
    );
    this.addSql(`create index "courses_date_last_modified_index" on "courses" ("date_last_modified");`);

    this.addSql(
      `create table "course_components" ("sourced_id" text not null, "status" text check ("status" in ('active', 'tobedeleted')) not null default 'active', "date_last_modified" timestamptz not null default now(), "metadata" jsonb null, "title" text not null, "course_sourced_id" text not null, "parent_sourced_id" text null, "sort_order" int not null default 0, "prerequisites" jsonb not null default '[]', "prerequisite_criteria" text null, "unlock_date" text null, constraint "course_components_pkey" primary key ("sourced_id"));`,
    );
    this.addSql(
      `create index "course_components_date_last_modified_index" on "course_components" ("date_last_modified");`,
    );
    this.addSql(
      `create index "course_components_course_sourced_id_index" on "course_components" ("course_sourced_id");`,
    );

    this.addSql(
      `create table "enrollments" ("sourced_id" text not null, "status" text check ("status" in ('active', 'tobedeleted')) not null default 'active', "date_last_modified" timestamptz not null default now(), "metadata" jsonb null, "role" text not null, "primary" boolean null, "begin_date" text null, "end_date" text null, "user_sourced_id" text not null, "class_sourced_id" text not null, "school_sourced_id" text null, constraint "enrollments_pkey" primary key ("sourced_id"));`,
    );
    this.addSql(`create index "enrollments_date_last_modified_index" on "enrollments" ("date_last_modified");`);
    this.addSql(`create index "enrollments_class_sourced_id_index" on "enrollments" ("class_sourced_id");`);
    this.addSql(
      `create index "enrollments_user_sourced_id_class_sourced_id_index" on "enrollments" ("user_sourced_id", "class_sourced_id");`,
    );

    this.addSql(
      `create table "orgs" ("sourced_id" text not null, "status" text check ("status" in ('active', 'tobedeleted')) not null default 'active', "date_last_modified" timestamptz not null default now(), "metadata" jsonb null, "name" text not null, "type" text not null, "identifier" text null, "parent_sourced_id" text null, constraint "orgs_pkey" primary key ("sourced_id"));`,
    );
    this.addSql(`create index "orgs_date_last_modified_index" on "orgs" ("date_last_modified");`);

    this.addSql(
      `create table "resources" ("sourced_id" text not null, "status" text check ("status" in ('active', 'tobedeleted')) not null default 'active', "date_last_modified" timestamptz not null default now(), "metadata" jsonb null, "title" text not null, "roles" jsonb not null default '[]', "importance" text null, "vendor_resource_id" text not null, "vendor_id" text null, "application_id" text null, constraint "resources_pkey" primary key ("sourced_id"));`,
    );
    this.addSql(`create index "resources_date_last_modified_index" on "resources" ("date_last_modified");`);

    this.addSql(
      `create table "classes" ("sourced_id" text not null, "status" text check ("status" in ('active', 'tobedeleted')) not null default 'active', "date_last_modified" timestamptz not null default now(), "metadata" jsonb null, "title" text not null, "class_code" text null, "class_type" text not null default 'scheduled', "location" text null, "course_sourced_id" text null, "school_sourced_id" text null, "terms" jsonb not null default '[]', "grades" jsonb not null default '[]', "subjects" jsonb not null default '[]', "subject_codes" jsonb not null default '[]', "periods" jsonb not null default '[]', constraint "classes_pkey" primary key ("sourced_id"));`,
    );
    this.addSql(`create index "classes_date_last_modified_index" on "classes" ("date_last_modified");`);
    this.addSql(`create index "classes_course_sourced_id_index" on "classes" ("course_sourced_id");`);

    this.addSql(
      `create table "subject_tracks" ("id" uuid not null default gen_random_uuid(), "subject" text not null, "grade" text not null, "course_sourced_id" text not null, "org_sourced_id" text null, "date_last_modified" timestamptz not null default now(), constraint "subject_tracks_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create unique index "subject_tracks_scope_unique" on "subject_tracks" (coalesce("org_sourced_id", ''), lower("subject"), "grade");`,
    );

    this.addSql(
      `create table "tool_classes" ("tool" text not null, "account" text not null, "lesson_sourced_id" text not null, "class_id" text not null, "class_code" text null, "created_at" timestamptz not null default now(), constraint "tool_classes_pkey" primary key ("tool", "account", "lesson_sourced_id"));`,
    );

    this.addSql(
      `create table "tool_logins" ("tool" text not null, "account" text not null, "student_sourced_id" text not null, "external_user_id" text not null, "credentials_sealed" text not null, "updated_at" timestamptz not null default now(), constraint "tool_logins_pkey" primary key ("tool", "account", "student_sourced_id"));`,
    );

    this.addSql(
      `create table "users" ("sourced_id" text not null, "status" text check ("status" in ('active', 'tobedeleted')) not null default 'active', "date_last_modified" timestamptz not null default now(), "metadata" jsonb null, "enabled_user" boolean not null default true, "given_name" text not null, "family_name" text not null, "middle_name" text null, "email" text null, "username" text null, "identifier" text null, "user_master_identifier" text null, "roles" jsonb not null default '[]', "role" text null, "primary_org_sourced_id" text null, "user_ids" jsonb not null default '[]', "agents" jsonb not null default '[]', "grades" jsonb not null default '[]', "preferred_first_name" text null, "preferred_middle_name" text null, "preferred_last_name" text null, "pronouns" text null, "sms" text null, "phone" text null, constraint "users_pkey" primary key ("sourced_id"));`,
    );
    this.addSql(`create index "users_date_last_modified_index" on "users" ("date_last_modified");`);
    this.addSql(`create index "users_email_index" on "users" ("email");`);
    this.addSql(`create index "users_role_index" on "users" ("role");`);
  }
}
