import { Migration } from '@mikro-orm/migrations';

/** Trimmed exactly as JavaScript's trim, which the PUT applies (trimmed_email, Migration20261204080000). */
const trimmed = (column: string) => `trimmed_email(${column})`;

/** canonicalGrade (@external-tests/common) as of this migration: numbers without leading zeros, KG 0, PK -1. */
const canonical = (
  column: string,
) => `(case when ${trimmed(column)} ~ '^-?[0-9]+$' then (${trimmed(column)}::numeric)::text
       when ${trimmed(column)} ~* '^kg?$' then '0' when ${trimmed(column)} ~* '^pk$' then '-1' else ${trimmed(column)} end)`;

/**
 * Subject tracks in the spelling finalization looks them up by: the subject trimmed, the grade canonical (`05` is `5`,
 * `KG` is `0`, `PK` is `-1`). A track put as ' Math ' or '05' was never found. Where two tracks of one scope become one key, the one
 * already spelled so (else the latest) takes it, and the other keeps its spelling and is found no more: `select * from
 * subject_tracks where grade <> <canonical> or subject <> <trimmed>` lists those, for their author to delete.
 */
export class Migration20261205000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `with spelled as (
         select id, ${trimmed('subject')} new_subject, ${canonical('grade')} new_grade, subject, grade, org_sourced_id,
                date_last_modified
         from subject_tracks
       ), ranked as (
         select *, row_number() over (partition by coalesce(org_sourced_id, ''), lower(new_subject), new_grade
                                      order by (subject = new_subject and grade = new_grade) desc,
                                               date_last_modified desc, id) n
         from spelled
       )
       update subject_tracks st set subject = r.new_subject, grade = r.new_grade
       from ranked r where st.id = r.id and r.n = 1 and (st.subject <> r.new_subject or st.grade <> r.new_grade);`,
    );
  }

  override async down(): Promise<void> {
    // The spellings before are not kept: nothing to undo that finalization could tell apart.
  }
}
