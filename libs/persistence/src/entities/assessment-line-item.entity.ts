import { Check, Entity, Index, Property } from '@mikro-orm/core';
import { OneRosterBase, SourcedRef } from './one-roster-base.entity';

/** A gradebook column. The assignment flow's line item of a lesson is recorded in LessonLineItem; per-question line items hang below it. */
@Entity({ tableName: 'assessment_line_items' })
// A range results can lie in (the defaults, 0 and 100, are the gradebook's: result.rules.ts); a deleted line item
// takes none, and one stored with an empty range before the check can still be deleted.
@Check({
  name: 'assessment_line_items_result_range',
  expression:
    '"status" = \'tobedeleted\' or coalesce("result_value_min", 0::double precision) <= coalesce("result_value_max", 100::double precision)',
})
export class AssessmentLineItem extends OneRosterBase {
  @Property({ type: 'text' })
  title!: string;

  @Property({ type: 'text', nullable: true })
  description?: string | null;

  @Property({ type: 'text', nullable: true })
  classSourcedId?: string | null;

  @Index()
  @Property({ type: 'text', nullable: true })
  parentSourcedId?: string | null;

  @Property({ type: 'text', nullable: true })
  componentSourcedId?: string | null;

  @Property({ type: 'text', nullable: true })
  componentResourceSourcedId?: string | null;

  @Property({ type: 'jsonb', nullable: true })
  scoreScale?: SourcedRef | null;

  @Property({ type: 'double precision', nullable: true })
  resultValueMin?: number | null;

  @Property({ type: 'double precision', nullable: true })
  resultValueMax?: number | null;

  @Property({ type: 'jsonb', nullable: true })
  learningObjectiveSet?: unknown[] | null;
}
