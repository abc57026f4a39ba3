import { Migration } from '@mikro-orm/migrations';

/**
 * An enrollment's `primary` is the spec's default, false, when its writer left it out: rows written before that
 * default (null, which OneRoster never answers) take it, and the column says so from now on.
 */
export class Migration20261201120000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`update "enrollments" set "primary" = false where "primary" is null;`);
    this.addSql(`alter table "enrollments" alter column "primary" set default false;`);
    this.addSql(`alter table "enrollments" alter column "primary" set not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "enrollments" alter column "primary" drop not null;`);
    this.addSql(`alter table "enrollments" alter column "primary" drop default;`);
  }
}
