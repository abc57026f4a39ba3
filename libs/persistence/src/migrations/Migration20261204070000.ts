import { Migration } from '@mikro-orm/migrations';

/**
 * Whether a tool user has a test open for a student, read before an existing user is adopted as another student's
 * login: an index of the assignments that record their tool user (Edulastic's; MasteryTrack's record none).
 */
export class Migration20261204070000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index "tool_assignments_tool_user_index" on "tool_assignments" ("tool", "account", "tool_user_id") where "tool_user_id" is not null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "tool_assignments_tool_user_index";`);
  }
}
