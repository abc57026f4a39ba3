import type { MasteryTrackContext } from './context';
import type { MasteryTrackSandboxTest } from './options';
import type { MasteryTrackAssignment } from './store';

export function testMetadata(ctx: MasteryTrackContext, test: MasteryTrackSandboxTest) {
  return {
    url: `${ctx.studentAppUrl}/tests/${test.timeback_id}`,
    type: 'qti',
    subType: 'qti-test',
    grade: test.grade,
    format: 'digital',
  };
}

/** An inventory entry; `id` is the test's 1-based position in the inventory. */
export function testView(ctx: MasteryTrackContext, test: MasteryTrackSandboxTest) {
  const stamp = ctx.store.inventoryCreatedAt.toISOString();
  return {
    id: ctx.store.tests.indexOf(test) + 1,
    timeback_id: test.timeback_id,
    name: test.name,
    subject: test.subject,
    grade: test.grade,
    grade_rank: test.grade_rank,
    version: 1,
    active: true,
    supported: ctx.store.isSupported(test),
    metadata: testMetadata(ctx, test),
    created_at: stamp,
    updated_at: stamp,
    invalidated_on: null,
  };
}

export function testUrl(ctx: MasteryTrackContext, a: MasteryTrackAssignment): string {
  return `${ctx.studentAppUrl}/assignment/${a.id}`;
}

/** The `assignment` object of a 201 assign response. */
export function assignmentView(ctx: MasteryTrackContext, a: MasteryTrackAssignment) {
  return {
    id: a.id,
    student_email: a.studentEmail,
    test_name: a.test.name,
    assigned_by: a.assignedBy,
    test_url: testUrl(ctx, a),
    status: a.status,
    expires_at: a.expiresAt.toISOString(),
    metadata: testMetadata(ctx, a.test),
    created_at: a.createdAt.toISOString(),
  };
}

/** `data.existing_assignment` of a 409 ASSIGNMENT_EXISTS. */
export function existingAssignmentView(ctx: MasteryTrackContext, a: MasteryTrackAssignment) {
  return {
    id: a.id,
    student_email: a.studentEmail,
    test_name: a.test.name,
    status: a.status,
    test_url: testUrl(ctx, a),
  };
}

/** Sandbox-only listing: everything a test may want to assert on, including the write-back ids. */
export function controlAssignmentView(ctx: MasteryTrackContext, a: MasteryTrackAssignment) {
  return {
    ...assignmentView(ctx, a),
    timeback_id: a.test.timeback_id,
    assessment_line_item_sourced_id: a.lineItemSourcedId ?? null,
    assessment_result_sourced_id: a.resultSourcedId ?? null,
    score: a.score ?? null,
  };
}
