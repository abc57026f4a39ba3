import { Migration } from '@mikro-orm/migrations';

export class Migration20261126125758 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "assessment_results" add column "finalized_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "assessment_results" drop column "finalized_at";`);
  }
}
