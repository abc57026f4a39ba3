import { Migration } from '@mikro-orm/migrations';

/**
 * Every take of a student's seat bumps its generation: a claim that took the seat can tell whether anybody held it
 * between its snapshot and its take (then what it read from that snapshot may miss that holder's assignment).
 */
export class Migration20261204000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "tool_seats" add column "gen" int not null default 0;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "tool_seats" drop column "gen";`);
  }
}
