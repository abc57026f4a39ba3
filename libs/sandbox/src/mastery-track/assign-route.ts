import type { RequestHandler } from 'express';
import { bodyOf, isNonEmptyString, toInteger, type JsonObject } from '../body';
import type { MasteryTrackContext } from './context';
import { sendError, type MasteryTrackErrorCode } from './errors';
import { isGradeRank } from './grades';
import { integratorOf } from './jwt';
import type { MasteryTrackSandboxTest } from './options';
import { assignmentView, existingAssignmentView } from './views';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface Failure {
  status: number;
  error: string;
  code: MasteryTrackErrorCode;
}

const fail = (status: number, error: string, code: MasteryTrackErrorCode): Failure => ({ status, error, code });

/** `POST /delivery/assignments/assign` → 201, or 409 ASSIGNMENT_EXISTS carrying the active assignment. */
export function assignRoute(ctx: MasteryTrackContext): RequestHandler {
  return (req, res) => {
    const body = bodyOf(req);
    if (!isNonEmptyString(body.student_email)) {
      return sendError(res, 400, 'student_email is required', 'MISSING_PARAMETER');
    }
    const email = body.student_email.trim();
    // The sandbox has no TimeBack roster to consult; an address that cannot exist stands in for "not in TimeBack".
    if (!EMAIL.test(email)) return sendError(res, 404, `User with email ${email} not found`, 'USER_NOT_FOUND');

    const sourcedIds = readSourcedIds(body);
    if ('status' in sourcedIds) return sendError(res, sourcedIds.status, sourcedIds.error, sourcedIds.code);
    const test = selectTest(ctx, email, body);
    if ('status' in test) return sendError(res, test.status, test.error, test.code);

    const existing = ctx.store.activeAssignment(email, test);
    if (existing) {
      return sendError(res, 409, 'Assignment already exists', 'ASSIGNMENT_EXISTS', {
        data: { existing_assignment: existingAssignmentView(ctx, existing) },
      });
    }
    const assignment = ctx.store.create({
      studentEmail: email,
      test,
      assignedBy: integratorOf(res).id,
      ...sourcedIds,
    });
    res.status(201).json({
      success: true,
      platform: 'Mastery Track',
      data: { assignment: assignmentView(ctx, assignment), message: `Test successfully assigned to ${email}` },
    });
  };
}

/** Write-back needs both OneRoster ids; one without the other is a client mistake. */
function readSourcedIds(body: JsonObject): { lineItemSourcedId?: string; resultSourcedId?: string } | Failure {
  const lineItem = body.assessment_line_item_sourced_id;
  const result = body.assessment_result_sourced_id;
  if (lineItem === undefined && result === undefined) return {};
  if (!isNonEmptyString(lineItem)) {
    return fail(
      400,
      'assessment_line_item_sourced_id is required with assessment_result_sourced_id',
      'MISSING_PARAMETER',
    );
  }
  if (!isNonEmptyString(result)) {
    return fail(
      400,
      'assessment_result_sourced_id is required with assessment_line_item_sourced_id',
      'MISSING_PARAMETER',
    );
  }
  return { lineItemSourcedId: lineItem, resultSourcedId: result };
}

/** v1/v3: a timeback_id; v4/v5: subject + grade_rank; v2: subject alone (placement, lowest grade first). */
function selectTest(ctx: MasteryTrackContext, email: string, body: JsonObject): MasteryTrackSandboxTest | Failure {
  const { timeback_id: timebackId, subject, grade_rank: rawRank } = body;
  if (timebackId !== undefined) {
    if (!isNonEmptyString(timebackId)) return fail(400, 'timeback_id must be a non-empty string', 'INVALID_PARAMETERS');
    const test = ctx.store.findTest(timebackId);
    if (!test) return fail(404, `Test not found with timeback_id: ${timebackId}`, 'TEST_NOT_FOUND');
    if (!ctx.store.isSupported(test)) {
      return fail(422, 'The requested test is not yet supported by the system', 'TEST_NOT_SUPPORTED');
    }
    return test;
  }
  if (subject === undefined) {
    return fail(400, 'One of timeback_id, subject + grade_rank or subject is required', 'MISSING_PARAMETER');
  }
  if (!isNonEmptyString(subject)) return fail(400, 'subject must be a non-empty string', 'INVALID_PARAMETERS');
  const gradeRank = rawRank === undefined ? undefined : toInteger(rawRank);
  if (rawRank !== undefined && !isGradeRank(gradeRank)) {
    return fail(400, 'grade_rank must be a valid number between 0-12', 'INVALID_PARAMETERS');
  }
  const test = ctx.store.nextTestFor(email, subject, gradeRank);
  if (!test) {
    const scope = gradeRank === undefined ? `subject: ${subject}` : `subject: ${subject}, grade_rank: ${gradeRank}`;
    return fail(404, `No supported test left for ${email} with ${scope} (all taken or none exist)`, 'TEST_NOT_FOUND');
  }
  return test;
}
