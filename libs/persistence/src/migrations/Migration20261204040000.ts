import { Migration } from '@mikro-orm/migrations';

/**
 * Reconciliation's withdrawal scan read every attempt with its result (its condition spans both tables): about a
 * second and 400 thousand buffers per run at a million attempts with nothing to withdraw (BENCHMARKS.md, sessions 33
 * and 34). The ledger row now carries whether its result is void (`result_void`), so each half of the scan walks a
 * partial index of what may be due, by tool (only tools that take assignments back are scanned; another tool's void
 * attempts stay in the index and are never read):
 * - `tool_assignments_void_index`: assigned attempts whose result is void, not yet withdrawn;
 * - `tool_assignments_noted_index`: pending attempts with an assignment noted on them.
 *
 * `result_void` is kept by the database: a trigger on `assessment_results` copies a result's status to its ledger row
 * whenever the status changes, whichever statement changes it (the OneRoster DELETE and PUT, an import, a hand-written
 * update). A ledger row is only ever written together with its result, as `active`, so an insert needs no trigger. The
 * trigger's `when` runs no function for the updates that leave the status alone (every write-back).
 */
export class Migration20261204040000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "tool_assignments" add column "result_void" boolean not null default false;`);
    // The function runs with the schema the migration ran in (PersistenceOptions.schema, else the server's path), so
    // a session with another search_path (an operator's psql) still updates our ledger, and only ours.
    this.addSql(`create function "tool_assignments_follow_result_status"() returns trigger language plpgsql
      set search_path from current as $$
      begin
        update tool_assignments set result_void = new.status <> 'active'
        where result_sourced_id = new.sourced_id and result_void is distinct from (new.status <> 'active');
        return null;
      end $$;`);
    // The trigger before the backfill: creating it locks out writers of assessment_results until the migration
    // commits, so no status change falls between the backfill's snapshot and the trigger (an older instance still
    // serving during a rolling deploy, the reconcile cron).
    this.addSql(`create trigger "assessment_results_status_to_ledger"
      after update of "status" on "assessment_results"
      for each row when (old."status" is distinct from new."status")
      execute function "tool_assignments_follow_result_status"();`);
    this.addSql(`update "tool_assignments" ta set "result_void" = true
      from "assessment_results" ar where ar."sourced_id" = ta."result_sourced_id" and ar."status" <> 'active';`);
    this.addSql(
      `create index "tool_assignments_void_index" on "tool_assignments" ("tool", "result_sourced_id") where "state" = 'assigned' and "result_void" and "withdrawn_at" is null and "external_id" is not null;`,
    );
    this.addSql(
      `create index "tool_assignments_noted_index" on "tool_assignments" ("tool", "result_sourced_id") where "state" = 'pending' and "external_id" is not null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "tool_assignments_noted_index";`);
    this.addSql(`drop index "tool_assignments_void_index";`);
    this.addSql(`drop trigger "assessment_results_status_to_ledger" on "assessment_results";`);
    this.addSql(`drop function "tool_assignments_follow_result_status"();`);
    this.addSql(`alter table "tool_assignments" drop column "result_void";`);
  }
}
