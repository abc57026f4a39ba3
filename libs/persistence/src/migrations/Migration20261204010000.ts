import { Migration } from '@mikro-orm/migrations';

/** The login an assignment was made for, kept with it: the student's login now may be another user at the tool. */
export class Migration20261204010000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "tool_assignments" add column "login_sealed" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "tool_assignments" drop column "login_sealed";`);
  }
}
