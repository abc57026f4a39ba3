import { Migration } from '@mikro-orm/migrations';

const CHECK = 'assessment_line_items_result_range';

/**
 * A line item's range is one results can lie in: resultValueMin at most resultValueMax (absent ones 0 and 100, the
 * gradebook's defaults), unless it is deleted (it takes no results, and an old one with an empty range can still be
 * deleted). A line item stored with an empty range refused every result written to it. Validated when no active one
 * has one; otherwise it holds for new writes only, and `select sourced_id from assessment_line_items where status <>
 * 'tobedeleted' and coalesce(result_value_min, 0) > coalesce(result_value_max, 100)` lists the ones to correct (or
 * delete) before `alter table assessment_line_items validate constraint …` (which range is meant is their author's
 * to say).
 */
export class Migration20261204120000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "assessment_line_items" add constraint "${CHECK}"
         check ("status" = 'tobedeleted'
                or coalesce("result_value_min", 0::double precision) <= coalesce("result_value_max", 100::double precision)) not valid;`,
    );
    this.addSql(
      `do $$ begin
         if not exists (select 1 from assessment_line_items
                        where status <> 'tobedeleted' and coalesce(result_value_min, 0) > coalesce(result_value_max, 100)) then
           alter table "assessment_line_items" validate constraint "${CHECK}";
         end if;
       end $$;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "assessment_line_items" drop constraint "${CHECK}";`);
  }
}
