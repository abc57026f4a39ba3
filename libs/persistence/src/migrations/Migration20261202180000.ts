import { Migration } from '@mikro-orm/migrations';

/** A course's gradingScheme (an upstream scalar) is kept: a PUT carrying it lost it. */
export class Migration20261202180000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "courses" add column "grading_scheme" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "courses" drop column "grading_scheme";`);
  }
}
