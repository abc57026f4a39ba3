import { Migration } from '@mikro-orm/migrations';

const FK = 'tool_assignments_result_sourced_id_foreign';

/**
 * A ledger row's result is a foreign key: the result a tool object was made for can no longer be hard-deleted from
 * under the row that records that object. Every row is made in the statement that makes its result, so a database
 * this service alone wrote has no row without one, and the key is validated. A row whose result someone deleted by
 * hand is kept (it is the only record of what the tool holds): then the key holds for new rows only, and
 * `select * from tool_assignments ta where not exists (select 1 from assessment_results ar where ar.sourced_id =
 * ta.result_sourced_id)` lists the ones it does not, to settle before `alter table tool_assignments validate
 * constraint …`.
 */
export class Migration20261204090000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "tool_assignments" add constraint "${FK}" foreign key ("result_sourced_id")
         references "assessment_results" ("sourced_id") on update no action on delete no action not valid;`,
    );
    this.addSql(
      `do $$ begin
         if not exists (select 1 from tool_assignments ta
                        where not exists (select 1 from assessment_results ar where ar.sourced_id = ta.result_sourced_id)) then
           alter table "tool_assignments" validate constraint "${FK}";
         end if;
       end $$;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "tool_assignments" drop constraint "${FK}";`);
  }
}
