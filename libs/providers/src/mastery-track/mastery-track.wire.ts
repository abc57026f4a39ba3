/** MasteryTrack wire format (design/contracts/mastery-track.md). Nothing outside this folder sees it. */

export interface MtError {
  success: false;
  error: string;
  code?: string;
  data?: { existing_assignment?: MtAssignmentSummary } & Record<string, unknown>;
  details?: unknown;
}

export interface MtAuthorizerResponse {
  success: true;
  jwt: string;
}

export interface MtAssignmentSummary {
  id: number | string;
  student_email: string;
  test_name?: string;
  status?: string;
  test_url: string;
}

export interface MtAssignResponse {
  success: true;
  platform?: string;
  data: { assignment: MtAssignmentSummary & { expires_at?: string; created_at?: string }; message?: string };
}

export interface MtAssignRequest {
  student_email: string;
  timeback_id?: string;
  subject?: string;
  grade_rank?: number;
  assessment_line_item_sourced_id?: string;
  assessment_result_sourced_id?: string;
}

export interface MtInvalidateRequest {
  student_email: string;
  /** MasteryTrack's assignment ids are integers; ours are their decimal strings. */
  assignment_id: number | string;
}

export function isMtAssignment(value: unknown): value is MtAssignmentSummary {
  const v = value as MtAssignmentSummary | undefined;
  return (
    typeof v === 'object' &&
    v !== null &&
    (typeof v.id === 'number' || (typeof v.id === 'string' && v.id.length > 0)) &&
    typeof v.test_url === 'string'
  );
}

export interface MtInventoryTest {
  timeback_id: string;
  name: string;
  subject?: string;
  grade_rank?: number;
  supported?: boolean;
}

export interface MtInventoryResponse {
  success: true;
  data: MtInventoryTest[];
}

export function isMtInventoryTest(value: unknown): value is MtInventoryTest {
  const v = value as MtInventoryTest | undefined;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.timeback_id === 'string' &&
    v.timeback_id.length > 0 &&
    typeof v.name === 'string'
  );
}
