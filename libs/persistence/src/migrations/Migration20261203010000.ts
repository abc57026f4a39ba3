import { Migration } from '@mikro-orm/migrations';

/** The tool's id of the student an assignment was made for: the import found the student by an email that may change. */
export class Migration20261203010000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "tool_assignments" add column "tool_user_id" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "tool_assignments" drop column "tool_user_id";`);
  }
}
