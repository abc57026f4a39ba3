import { Migration } from '@mikro-orm/migrations';

/** An org's children are read by their parent (every org answered lists them). */
export class Migration20261201130000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "orgs_parent_sourced_id_index" on "orgs" ("parent_sourced_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "orgs_parent_sourced_id_index";`);
  }
}
