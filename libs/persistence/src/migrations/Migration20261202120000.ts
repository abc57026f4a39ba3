import { Migration } from '@mikro-orm/migrations';

/** Reconciliation's scan skips given-up attempts without reading them (they stay pending, their lease over). */
export class Migration20261202120000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index "tool_assignments_stuck_index" on "tool_assignments" ("lease_until" nulls first) where "state" = 'pending' and "given_up_at" is null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "tool_assignments_stuck_index";`);
  }
}
