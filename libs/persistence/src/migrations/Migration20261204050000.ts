import { Migration } from '@mikro-orm/migrations';

/**
 * A tool user (the student's email, lower-cased, as both tools know students) is one student's per (tool, account):
 * `tool_seats.tool_user`, unique, written by every take of the seat. Existing seats get their student's email now;
 * of two students sharing one, the one the tool's user is keeps it: the one with a recorded login, else with recorded
 * assignments, else the seat taken most (the other is refused at its next take, unless freed).
 */
export class Migration20261204050000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "tool_seats" add column "tool_user" text null;`);
    this.addSql(
      `update tool_seats s set tool_user = f.tool_user
       from (select distinct on (s.tool, s.account, lower(u.email)) s.tool, s.account, s.student_sourced_id, lower(u.email) tool_user
             from tool_seats s join users u on u.sourced_id = s.student_sourced_id
             where u.email is not null and u.email <> ''
             order by s.tool, s.account, lower(u.email),
               -- the student the tool's user is: its recorded login, else its recorded assignments, else most takes
               exists (select 1 from tool_logins l where l.tool = s.tool and l.account = s.account
                         and l.student_sourced_id = s.student_sourced_id and l.state = 'ready') desc,
               exists (select 1 from tool_assignments a where a.tool = s.tool and a.account = s.account
                         and a.student_sourced_id = s.student_sourced_id and a.state = 'assigned') desc,
               s.gen desc, s.student_sourced_id) f
       where s.tool = f.tool and s.account = f.account and s.student_sourced_id = f.student_sourced_id;`,
    );
    this.addSql(
      `alter table "tool_seats" add constraint "tool_seats_tool_user_unique" unique ("tool", "account", "tool_user");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "tool_seats" drop constraint "tool_seats_tool_user_unique";`);
    this.addSql(`alter table "tool_seats" drop column "tool_user";`);
  }
}
