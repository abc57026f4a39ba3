import { Migration } from '@mikro-orm/migrations';

/** Reconciliation gives a refused attempt up by marking it, not by reopening it (a late write-back still finalizes). */
export class Migration20261202000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "tool_assignments" add column "given_up_at" timestamptz null;`);
    // Only the old reconciliation left an attempt open with an unanswered call: back to pending, given up.
    this.addSql(
      `update "tool_assignments" set "state" = 'pending', "given_up_at" = now() where "state" = 'open' and "called";`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(
      `update "tool_assignments" set "state" = 'open' where "given_up_at" is not null and "state" = 'pending';`,
    );
    this.addSql(`alter table "tool_assignments" drop column "given_up_at";`);
  }
}
