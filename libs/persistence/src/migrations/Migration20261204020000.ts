import { Migration } from '@mikro-orm/migrations';

/** A void attempt's assignment is withdrawn at the tool once: reconciliation records when. */
export class Migration20261204020000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "tool_assignments" add column "withdrawn_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "tool_assignments" drop column "withdrawn_at";`);
  }
}
