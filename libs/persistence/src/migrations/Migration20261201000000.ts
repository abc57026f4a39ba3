import { Migration } from '@mikro-orm/migrations';

/** The student's seat is given back by its holder: an index on the seats held now (tool_seats read whole before). */
export class Migration20261201000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "tool_seats_holder_index" on "tool_seats" ("holder") where "holder" is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "tool_seats_holder_index";`);
  }
}
