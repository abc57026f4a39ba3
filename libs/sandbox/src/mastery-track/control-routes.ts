import { Router, type Request, type Response } from 'express';
import { bodyOf, isNonEmptyString, isPlainObject, toInteger, type JsonObject } from '../body';
import type { MasteryTrackContext } from './context';
import { genericErrorBody } from './errors';
import { isActive, type MasteryTrackAssignment } from './store';
import { controlAssignmentView } from './views';
import { completeAssignment, questionCountOf, writesBack } from './completion';
import { deliverAssessmentResult, type AssessmentResultPayload, type Completion } from './write-back';

function sendControlError(res: Response, status: number, message: string): void {
  res.status(status).json(genericErrorBody(status, message));
}

/** Sandbox-only routes under /__sandbox: list, complete (+ write-back) and redeliver assignments. */
export function masteryTrackControlRouter(ctx: MasteryTrackContext): Router {
  const router = Router();

  const findAssignment = (req: Request, res: Response): MasteryTrackAssignment | undefined => {
    const id = toInteger(req.params.id);
    const assignment = id === undefined ? undefined : ctx.store.get(id);
    if (!assignment) sendControlError(res, 404, `Assignment ${String(req.params.id)} not found`);
    return assignment;
  };

  router.get('/assignments', (_req, res) => {
    res.json({ success: true, data: ctx.store.all().map((a) => controlAssignmentView(ctx, a)) });
  });

  /**
   * Body `{score, totalQuestions?, correctQuestions?, studentSourcedId?}`. MasteryTrack knows students only by
   * email, yet the OneRoster payload needs `student.sourcedId`, so `studentSourcedId` is required whenever a
   * write-back will happen (write-back configured and the assignment carries both sourcedIds).
   */
  router.post('/assignments/:id/complete', async (req, res) => {
    const assignment = findAssignment(req, res);
    if (!assignment) return;
    if (!isActive(assignment)) {
      return sendControlError(res, 409, `Assignment ${assignment.id} is ${assignment.status}, not active`);
    }
    const body = bodyOf(req);
    const scores = parseScores(body, assignment);
    if (typeof scores === 'string') return sendControlError(res, 400, scores);
    const { studentSourcedId } = body;
    if (writesBack(ctx, assignment) && !isNonEmptyString(studentSourcedId)) {
      return sendControlError(res, 400, 'studentSourcedId is required when the result is written back');
    }
    const writeBack = await completeAssignment(
      ctx,
      assignment,
      scores,
      isNonEmptyString(studentSourcedId) ? studentSourcedId : undefined,
    );
    res.json({ success: true, data: { assignment: controlAssignmentView(ctx, assignment), writeBack } });
  });

  /** Re-sends the last write-back, optionally changed by `{scoreStatus?, score?, metadata?}` (merged). */
  router.post('/assignments/:id/redeliver', async (req, res) => {
    const assignment = findAssignment(req, res);
    if (!assignment) return;
    if (!assignment.lastWriteBack || !ctx.options.writeBack) {
      return sendControlError(res, 409, `Assignment ${assignment.id} has no write-back to redeliver`);
    }
    const payload = applyOverrides(assignment.lastWriteBack, bodyOf(req));
    if (typeof payload === 'string') return sendControlError(res, 400, payload);
    assignment.lastWriteBack = payload;
    const outcome = await deliverAssessmentResult(ctx.options.writeBack, payload);
    res.json({ success: true, data: { assignment: controlAssignmentView(ctx, assignment), writeBack: outcome } });
  });

  return router;
}

/** Missing counts default to the test's question count and the share the score implies. */
function parseScores(body: JsonObject, a: MasteryTrackAssignment): Omit<Completion, 'studentSourcedId'> | string {
  const { score } = body;
  if (score === undefined) return 'score is required';
  if (typeof score !== 'number' || !(score >= 0 && score <= 100)) return 'score must be a number between 0 and 100';
  const total = body.totalQuestions === undefined ? questionCountOf(a.test) : toInteger(body.totalQuestions);
  if (total === undefined || total < 1) return 'totalQuestions must be a positive integer';
  const correct =
    body.correctQuestions === undefined ? Math.round((score / 100) * total) : toInteger(body.correctQuestions);
  if (correct === undefined || correct < 0 || correct > total) {
    return 'correctQuestions must be an integer between 0 and totalQuestions';
  }
  return { score, totalQuestions: total, correctQuestions: correct };
}

function applyOverrides(last: AssessmentResultPayload, body: JsonObject): AssessmentResultPayload | string {
  const { scoreStatus, score, metadata } = body;
  if (scoreStatus !== undefined && !isNonEmptyString(scoreStatus)) return 'scoreStatus must be a string';
  if (score !== undefined && typeof score !== 'number') return 'score must be a number';
  if (metadata !== undefined && !isPlainObject(metadata)) return 'metadata must be an object';
  const result = last.assessmentResult;
  return {
    assessmentResult: {
      ...result,
      scoreStatus: scoreStatus ?? result.scoreStatus,
      score: score ?? result.score,
      metadata: { ...result.metadata, ...metadata },
    },
  };
}
