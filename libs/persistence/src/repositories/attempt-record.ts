import type { ScoreStatus } from '../entities/assessment-result.entity';
import type { OneRosterStatus } from '../entities/one-roster-base.entity';
import type { ToolAssignmentRequest, ToolAssignmentState } from '../entities/tool-assignment.entity';

/** One attempt of the assignment flow: its ledger row and the OneRoster result it fills. */
export interface AttemptRecord {
  resultSourcedId: string;
  lineItemSourcedId: string;
  attempt: number;
  resultStatus: OneRosterStatus;
  score: number | null;
  scoreStatus: ScoreStatus;
  finalizedAt: Date | null;
  /** When the tool ended the attempt without a final result (AssessmentResult.closedAt): over, though not final. */
  closedAt: Date | null;
  /** The result's metadata (question counts, enrollment outcome, the projection of the fields below). */
  resultMetadata: Record<string, unknown>;
  state: ToolAssignmentState;
  /** Seconds left on the lease; > 0 while a request holds the attempt. */
  leaseSeconds: number | null;
  tool: string | null;
  account: string | null;
  externalId: string | null;
  classId: string | null;
  testId: string | null;
  testTitle: string | null;
  testUrl: string | null;
  /** The tool's id of the student the assignment was made for (ToolAssignment.toolUserId). */
  toolUserId: string | null;
  request: ToolAssignmentRequest;
  assignedAt: Date | null;
  /**
   * The login the assignment was made for, sealed (else the student's ready login on (tool, account), when it is the
   * same tool user); absent for tools without student passwords.
   */
  loginSealed: string | null;
}

/**
 * Over though not final: the tool closed it (a question skipped), or it is void (its result deleted). PowerPath's
 * answers say `closed: true` of it, so a poller waiting for `finalized` stops.
 */
export const isClosedUnfinished = (a: Pick<AttemptRecord, 'finalizedAt' | 'closedAt' | 'resultStatus'>): boolean =>
  a.finalizedAt === null && (a.closedAt !== null || a.resultStatus === 'tobedeleted');

/** Columns of an AttemptRecord; needs `ta` (tool_assignments) joined with `ar` (its result). */
export const ATTEMPT_COLUMNS = `
  ta.result_sourced_id, ar.line_item_sourced_id, ta.attempt, ar.status result_status, ar.score, ar.score_status,
  ar.finalized_at, ar.closed_at, ar.metadata result_metadata, ta.state,
  extract(epoch from (ta.lease_until - now()))::float8 lease_seconds, ta.tool, ta.account, ta.external_id, ta.class_id,
  ta.test_id, ta.test_title, ta.test_url, ta.tool_user_id, ta.request, ta.assigned_at,
  coalesce(ta.login_sealed, (select tl.credentials_sealed from tool_logins tl
   where tl.tool = ta.tool and tl.account = ta.account and tl.student_sourced_id = ta.student_sourced_id and tl.state = 'ready'
     and (ta.tool_user_id is null or tl.external_user_id = ta.tool_user_id))) login_sealed`;

export const ATTEMPT_FROM = `tool_assignments ta join assessment_results ar on ar.sourced_id = ta.result_sourced_id`;

export interface AttemptRow {
  result_sourced_id: string;
  line_item_sourced_id: string;
  attempt: number;
  result_status: OneRosterStatus;
  score: number | null;
  score_status: ScoreStatus;
  /** A Date from a row, an ISO string from to_jsonb. */
  finalized_at: Date | string | null;
  closed_at: Date | string | null;
  result_metadata: Record<string, unknown> | null;
  state: ToolAssignmentState;
  lease_seconds: number | null;
  tool: string | null;
  account: string | null;
  external_id: string | null;
  class_id: string | null;
  test_id: string | null;
  test_title: string | null;
  test_url: string | null;
  tool_user_id: string | null;
  request: ToolAssignmentRequest | null;
  assigned_at: Date | string | null;
  login_sealed: string | null;
}

export function toAttemptRecord(r: AttemptRow): AttemptRecord {
  return {
    resultSourcedId: r.result_sourced_id,
    lineItemSourcedId: r.line_item_sourced_id,
    attempt: r.attempt,
    resultStatus: r.result_status,
    score: r.score,
    scoreStatus: r.score_status,
    finalizedAt: r.finalized_at ? new Date(r.finalized_at) : null,
    closedAt: r.closed_at ? new Date(r.closed_at) : null,
    resultMetadata: r.result_metadata ?? {},
    state: r.state,
    leaseSeconds: r.lease_seconds,
    tool: r.tool,
    account: r.account,
    externalId: r.external_id,
    classId: r.class_id,
    testId: r.test_id,
    testTitle: r.test_title,
    testUrl: r.test_url,
    toolUserId: r.tool_user_id,
    request: r.request ?? {},
    assignedAt: r.assigned_at ? new Date(r.assigned_at) : null,
    loginSealed: r.login_sealed,
  };
}
