import { Migration } from '@mikro-orm/migrations';

/**
 * `tool_logins.tool_user`: the email (lower-cased) the login's tool user is known by, written with the user, so that
 * whether its student is still that user is read against what the login was made for. Existing logins with a user get
 * the email of their student's seat's last take, else their student's email now.
 */
export class Migration20261204060000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "tool_logins" add column "tool_user" text null;`);
    this.addSql(
      `update tool_logins tl set tool_user = coalesce(
         (select s.tool_user from tool_seats s
          where s.tool = tl.tool and s.account = tl.account and s.student_sourced_id = tl.student_sourced_id),
         (select lower(u.email) from users u where u.sourced_id = tl.student_sourced_id))
       where tl.external_user_id is not null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "tool_logins" drop column "tool_user";`);
  }
}
