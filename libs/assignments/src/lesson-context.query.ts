import { EntityManager } from '@mikro-orm/postgresql';
import type { AssignmentState, ScoreStatus } from '@app/persistence';

/** Everything the assignment flow needs, read in one round trip. */
export interface LessonContextRow {
  u_id: string | null;
  u_status: string | null;
  u_email: string | null;
  u_given_name: string | null;
  u_family_name: string | null;
  u_role: string | null;
  u_roles: { role: string; org?: { sourcedId: string } }[] | null;
  u_primary_org: string | null;
  cr_id: string | null;
  cr_status: string | null;
  cr_title: string | null;
  cr_lesson_type: string | null;
  cr_metadata: Record<string, unknown> | null;
  lesson_org: string | null;
  r_id: string | null;
  r_status: string | null;
  r_metadata: Record<string, unknown> | null;
  r_vendor_id: string | null;
  li_id: string | null;
  ar_id: string | null;
  ar_attempt: number | null;
  ar_score_status: ScoreStatus | null;
  ar_state: AssignmentState | null;
  ar_lease_seconds: number | null;
  ar_metadata: Record<string, unknown> | null;
  ar_credentials: string | null;
  ar_finalized: boolean | null;
  tc_class_id: string | null;
  tc_class_code: string | null;
  tl_user_id: string | null;
  tl_credentials: string | null;
}

const SQL = `
select
  u.sourced_id u_id, u.status u_status, u.email u_email, u.given_name u_given_name, u.family_name u_family_name,
  u.role u_role, u.roles u_roles, u.primary_org_sourced_id u_primary_org,
  cr.sourced_id cr_id, cr.status cr_status, cr.title cr_title, cr.lesson_type cr_lesson_type, cr.metadata cr_metadata,
  c.org_sourced_id lesson_org,
  r.sourced_id r_id, r.status r_status, r.metadata r_metadata, r.vendor_id r_vendor_id,
  li.sourced_id li_id,
  ar.sourced_id ar_id, ar.attempt ar_attempt, ar.score_status ar_score_status, ar.assignment_state ar_state,
  extract(epoch from (ar.lease_until - now()))::float8 ar_lease_seconds, ar.metadata ar_metadata,
  ar.credentials_sealed ar_credentials, ar.finalized_at is not null ar_finalized,
  tc.class_id tc_class_id, tc.class_code tc_class_code,
  tl.external_user_id tl_user_id, tl.credentials_sealed tl_credentials
from (select 1) one
left join users u on u.sourced_id = ?
left join component_resources cr on cr.sourced_id = ?
left join resources r on r.sourced_id = cr.resource_sourced_id
left join course_components cc on cc.sourced_id = cr.course_component_sourced_id
left join courses c on c.sourced_id = cc.course_sourced_id
left join assessment_line_items li on li.component_resource_sourced_id = cr.sourced_id and li.parent_sourced_id is null
left join lateral (
  select * from assessment_results x
  where x.line_item_sourced_id = li.sourced_id and x.student_sourced_id = u.sourced_id
  order by x.attempt desc limit 1
) ar on true
left join tool_classes tc on tc.tool = r.metadata->>'toolProvider' and tc.account = ? and tc.lesson_sourced_id = cr.sourced_id
left join tool_logins tl on tl.tool = r.metadata->>'toolProvider' and tl.account = ? and tl.student_sourced_id = u.sourced_id`;

export async function readLessonContext(
  em: EntityManager,
  student: string,
  lesson: string,
  account: string,
): Promise<LessonContextRow> {
  const rows = await em.getConnection().execute<LessonContextRow[]>(SQL, [student, lesson, account, account]);
  return rows[0];
}
