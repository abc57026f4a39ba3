import { Migration } from '@mikro-orm/migrations';

/**
 * MasteryTrack knows a student by email only, and its assignments now record that email (lower-cased) as their tool
 * user, so that a test open on it keeps the user from a student who gets the email later (OPEN_FOR_ANOTHER_STUDENT).
 * Rows made before recorded none. Best guess of the email one was made with: the email of its student's seat (taken
 * by the student's latest assignment call, so at or after this one), else the student's email now.
 */
export class Migration20261204110000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `update "tool_assignments" ta
       set "tool_user_id" = coalesce(
             (select s."tool_user" from "tool_seats" s
              where s."tool" = ta."tool" and s."account" = ta."account" and s."student_sourced_id" = ta."student_sourced_id"),
             (select lower(u."email") from "users" u where u."sourced_id" = ta."student_sourced_id"))
       where ta."tool" = 'mastery-track' and ta."state" = 'assigned' and ta."tool_user_id" is null;`,
    );
  }

  override async down(): Promise<void> {
    // Kept: the guesses cannot be told from the users recorded since.
  }
}
