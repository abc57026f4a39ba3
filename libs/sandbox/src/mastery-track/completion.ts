import type { MasteryTrackContext } from './context';
import type { MasteryTrackSandboxTest } from './options';
import type { MasteryTrackAssignment } from './store';
import { assessmentResultPayload, deliverAssessmentResult, type Completion, type WriteBackOutcome } from './write-back';

const DEFAULT_QUESTION_COUNT = 20;

export function questionCountOf(test: MasteryTrackSandboxTest): number {
  return test.questionCount ?? DEFAULT_QUESTION_COUNT;
}

export type WithWriteBackIds = MasteryTrackAssignment & { lineItemSourcedId: string; resultSourcedId: string };

/** A completion is written back when the sandbox has a gradebook to write to and the assign call named the result. */
export function writesBack(ctx: MasteryTrackContext, a: MasteryTrackAssignment): a is WithWriteBackIds {
  return ctx.options.writeBack !== undefined && a.lineItemSourcedId !== undefined && a.resultSourcedId !== undefined;
}

/**
 * The test ends: the assignment is COMPLETED with its score and, when it writes back, the OneRoster result is
 * delivered (the control API's `complete` and the student page both come here). `null` = nothing was written back.
 */
export async function completeAssignment(
  ctx: MasteryTrackContext,
  assignment: MasteryTrackAssignment,
  scores: Omit<Completion, 'studentSourcedId'>,
  studentSourcedId: string | undefined,
): Promise<WriteBackOutcome | null> {
  assignment.status = 'COMPLETED';
  assignment.score = scores.score;
  if (!writesBack(ctx, assignment) || studentSourcedId === undefined) return null;
  assignment.lastWriteBack = assessmentResultPayload(ctx, assignment, { ...scores, studentSourcedId });
  return deliverAssessmentResult(ctx.options.writeBack!, assignment.lastWriteBack);
}
