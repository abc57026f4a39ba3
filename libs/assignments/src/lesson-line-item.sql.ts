/**
 * CTE `li`: the lesson's top-level line item, created on first use (one per lesson, unique partial index).
 * Binds: new sourcedId, title, component resource sourcedId, origin. Returns `sourced_id` and `inserted`.
 */
export const LESSON_LINE_ITEM_CTE = `li as (
  insert into assessment_line_items (sourced_id, title, component_resource_sourced_id, metadata)
  values (?, ?, ?, jsonb_build_object('origin', ?::text))
  on conflict (component_resource_sourced_id) where parent_sourced_id is null
  do update set title = assessment_line_items.title
  returning sourced_id, (xmax = 0) inserted
)`;
