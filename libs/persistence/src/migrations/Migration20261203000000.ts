import { Migration } from '@mikro-orm/migrations';

/** An attempt its tool ended without a final result (a graded submission with a skipped question) is closed: over. */
export class Migration20261203000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "assessment_results" add column "closed_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "assessment_results" drop column "closed_at";`);
  }
}
