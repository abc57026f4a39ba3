import { Migration } from '@mikro-orm/migrations';

/**
 * `tool_assignments_state_index (state, lease_until)` served no statement: every one that reads `state` also names the
 * row's key, its purpose or its student, and reconciliation's scans use the partial stuck index and the keys (their
 * plans at a million attempts are in BENCHMARKS.md, session 33). It cost an entry on every insert and every update of
 * the table (each update writes `lease_until`): one WAL record in seven.
 */
export class Migration20261204030000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop index "tool_assignments_state_index";`);
  }

  override async down(): Promise<void> {
    this.addSql(`create index "tool_assignments_state_index" on "tool_assignments" ("state", "lease_until");`);
  }
}
