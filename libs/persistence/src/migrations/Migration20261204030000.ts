import { Migration } from '@mikro-orm/migrations';

/**
 * `tool_assignments_state_index (state, lease_until)` served no statement: every one that reads `state` also names the
 * row's key, its purpose or its student; reconciliation's scan for attempts to resume walks the partial stuck index,
 * and its scan for assignments to withdraw reads every attempt with or without it (its `or` spans two tables; plans at
 * a million attempts in BENCHMARKS.md, session 33). It cost an entry on every insert and every update of the table
 * (each update writes `lease_until`): one WAL record in seven.
 */
export class Migration20261204030000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop index "tool_assignments_state_index";`);
  }

  override async down(): Promise<void> {
    this.addSql(`create index "tool_assignments_state_index" on "tool_assignments" ("state", "lease_until");`);
  }
}
