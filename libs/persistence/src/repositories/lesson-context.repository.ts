import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { OneRosterStatus } from '../entities/one-roster-base.entity';
import { runPrepared } from '../prepared-statement';
import { ATTEMPT_COLUMNS, ATTEMPT_FROM, AttemptRecord, AttemptRow, toAttemptRecord } from './attempt-record';
import {
  CLASS_COLUMNS,
  LOGIN_COLUMNS,
  toClassRecord,
  toLoginRecord,
  ToolClassRecord,
  ToolLoginRecord,
} from './tool-object-rows';

export interface StudentRecord {
  sourcedId: string;
  status: OneRosterStatus;
  email: string | null;
  givenName: string | null;
  familyName: string | null;
  role: string | null;
  roles: { role: string; org?: { sourcedId: string } }[];
  primaryOrg: string | null;
  /** OneRoster's enabledUser: false for an account that cannot sign in. */
  enabledUser: boolean;
}

export interface LessonRecord {
  sourcedId: string;
  status: OneRosterStatus;
  title: string;
  /** componentResource.lessonType (the column) and metadata; the resource's follow. */
  lessonType: string | null;
  metadata: Record<string, unknown> | null;
  /** The org of the lesson's course. */
  org: string | null;
  resource?: {
    sourcedId: string;
    status: OneRosterStatus;
    metadata: Record<string, unknown> | null;
    vendorId: string | null;
  };
}

/** Everything the PowerPath external-test endpoints need about (student, lesson), read in one round trip. */
export interface LessonContext {
  student?: StudentRecord;
  lesson?: LessonRecord;
  /** The line item the assignment flow recorded for the lesson. */
  lineItemSourcedId?: string;
  /** The student's latest attempt of the lesson made by the flow. */
  latest?: AttemptRecord;
  /**
   * The attempt a new assignment works on: the latest one while it is active and neither finalized nor closed, else one past
   * every result the student has on the lesson's line item (a result another writer made is never taken over).
   */
  nextAttempt: number;
  /** The tool class of (tool, account, lesson, nextAttempt), when one is recorded. */
  toolClass?: ToolClassRecord;
  /** The student's login on (tool, account), when one is recorded. */
  login?: ToolLoginRecord;
  /**
   * When this was read, by the database's clock (ISO 8601, UTC, milliseconds): one clock for every instance, so what
   * is ordered by it (imports: AttemptResultsRepository.storePulled) does not depend on instances' clocks agreeing.
   */
  readAt: string;
}

const SQL = `
select
  u.sourced_id u_id, u.status u_status, u.email u_email, u.given_name u_given_name, u.family_name u_family_name,
  u.role u_role, u.roles u_roles, u.primary_org_sourced_id u_primary_org, u.enabled_user u_enabled,
  cr.sourced_id cr_id, cr.status cr_status, cr.title cr_title, cr.lesson_type cr_lesson_type, cr.metadata cr_metadata,
  c.org_sourced_id lesson_org,
  r.sourced_id r_id, r.status r_status, r.metadata r_metadata, r.vendor_id r_vendor_id,
  lli.line_item_sourced_id li_id,
  to_jsonb(la) la, na.n next_attempt, to_jsonb(tc) tc, to_jsonb(tl) tl,
  to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') read_at
from (select 1) one
left join users u on u.sourced_id = ?
left join component_resources cr on cr.sourced_id = ?
left join resources r on r.sourced_id = cr.resource_sourced_id
left join course_components cc on cc.sourced_id = cr.course_component_sourced_id
left join courses c on c.sourced_id = cc.course_sourced_id
left join lesson_line_items lli on lli.lesson_sourced_id = cr.sourced_id
left join lateral (
  select ${ATTEMPT_COLUMNS} from ${ATTEMPT_FROM}
  where ta.lesson_sourced_id = cr.sourced_id and ta.student_sourced_id = u.sourced_id
  order by ta.attempt desc limit 1
) la on true
cross join lateral (
  select case when la.attempt is not null and la.finalized_at is null and la.closed_at is null
                   and la.result_status = 'active' then la.attempt
              else greatest(coalesce(la.attempt, 0),
                            coalesce((select max(x.attempt) from assessment_results x
                                      where x.line_item_sourced_id = lli.line_item_sourced_id and x.student_sourced_id = u.sourced_id), 0)) + 1
         end n
) na
left join lateral (
  select ${CLASS_COLUMNS} from tool_classes tc
  where tc.tool = r.metadata->>'toolProvider' and tc.account = ? and tc.lesson_sourced_id = cr.sourced_id and tc.attempt = na.n and tc.cohort = ''
) tc on true
left join lateral (
  select ${LOGIN_COLUMNS} from tool_logins tl
  where tl.tool = r.metadata->>'toolProvider' and tl.account = ? and tl.student_sourced_id = u.sourced_id
) tl on true`;

interface Row {
  u_id: string | null;
  u_status: OneRosterStatus;
  u_email: string | null;
  u_given_name: string | null;
  u_family_name: string | null;
  u_role: string | null;
  u_roles: StudentRecord['roles'] | null;
  u_primary_org: string | null;
  u_enabled: boolean | null;
  cr_id: string | null;
  cr_status: OneRosterStatus;
  cr_title: string | null;
  cr_lesson_type: string | null;
  cr_metadata: Record<string, unknown> | null;
  lesson_org: string | null;
  r_id: string | null;
  r_status: OneRosterStatus;
  r_metadata: Record<string, unknown> | null;
  r_vendor_id: string | null;
  li_id: string | null;
  la: AttemptRow | null;
  next_attempt: number;
  read_at: string;
  tc: Record<string, unknown> | null;
  tl: Record<string, unknown> | null;
}

@Injectable()
export class LessonContextRepository {
  constructor(private readonly em: EntityManager) {}

  /** `account`: the tool account a new assignment would use (for the class and login it may reuse). */
  async read(student: string, lesson: string, account: string): Promise<LessonContext> {
    const [r] = await runPrepared<Row>(this.em, SQL, [student, lesson, account, account]);
    return {
      student: r.u_id
        ? {
            sourcedId: r.u_id,
            status: r.u_status,
            email: r.u_email,
            givenName: r.u_given_name,
            familyName: r.u_family_name,
            role: r.u_role,
            roles: r.u_roles ?? [],
            primaryOrg: r.u_primary_org,
            enabledUser: r.u_enabled !== false,
          }
        : undefined,
      lesson: r.cr_id
        ? {
            sourcedId: r.cr_id,
            status: r.cr_status,
            title: r.cr_title ?? r.cr_id,
            lessonType: r.cr_lesson_type,
            metadata: r.cr_metadata,
            org: r.lesson_org,
            resource: r.r_id
              ? { sourcedId: r.r_id, status: r.r_status, metadata: r.r_metadata, vendorId: r.r_vendor_id }
              : undefined,
          }
        : undefined,
      lineItemSourcedId: r.li_id ?? undefined,
      latest: r.la ? toAttemptRecord(r.la) : undefined,
      nextAttempt: r.next_attempt,
      readAt: r.read_at,
      toolClass: r.tc ? toClassRecord(r.tc) : undefined,
      login: r.tl ? toLoginRecord(r.tl) : undefined,
    };
  }
}
