import { Migration } from '@mikro-orm/migrations';

/** What JavaScript's `trim` removes: ECMAScript's WhiteSpace and LineTerminator (a test holds the two equal). */
const SET = `E'\\u0009\\u000a\\u000b\\u000c\\u000d\\u0020\\u00a0\\u1680\\u2000\\u2001\\u2002\\u2003\\u2004\\u2005\\u2006\\u2007\\u2008\\u2009\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff'`;

/**
 * Emails are stored trimmed, as the tools read them (the API's email format already refused whitespace; rows written
 * before it, or by anything else, may have it). What the ledger keyed by an untrimmed email is re-keyed: a login's
 * `tool_user`, and a seat's unless another seat has the trimmed key already (two students the tool sees as one user:
 * the next take of either asks again and is refused, as any two students with one email are). Users whose email
 * changes here are modified now, for delta syncs.
 */
export class Migration20261204080000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create function trimmed_email(text) returns text language sql immutable strict parallel safe
         as $$ select btrim($1, ${SET}) $$;`,
    );
    // Writers wait until this commits (an older instance during a rolling deploy): none slips an untrimmed email in
    // between the update's snapshot and the check.
    this.addSql(`lock table "users" in exclusive mode;`);
    this.addSql(
      `update users set email = trimmed_email(email), date_last_modified = now() where email <> trimmed_email(email);`,
    );
    this.addSql(
      `update tool_logins set tool_user = trimmed_email(tool_user) where tool_user <> trimmed_email(tool_user);`,
    );
    this.addSql(
      `update tool_seats s set tool_user = trimmed_email(s.tool_user)
        where s.tool_user <> trimmed_email(s.tool_user)
          and not exists (select 1 from tool_seats o
                          where o.tool = s.tool and o.account = s.account and o.tool_user = trimmed_email(s.tool_user))
          and s.student_sourced_id = (select min(x.student_sourced_id) from tool_seats x
                                      where x.tool = s.tool and x.account = s.account
                                        and trimmed_email(x.tool_user) = trimmed_email(s.tool_user));`,
    );
    this.addSql(`alter table "users" add constraint users_email_trimmed check("email" = trimmed_email("email"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "users" drop constraint users_email_trimmed;`);
    this.addSql(`drop function trimmed_email(text);`);
  }
}
