import { AppError, ErrorCode } from '@external-tests/common';
import type { PulledResult, ScoreStatus } from '@external-tests/persistence';
import type { ExternalResult } from '@external-tests/providers';

/** Finalized = submitted, graded, and every question answered (none skipped). */
export function isFinal(r: ExternalResult): boolean {
  return r.submitted && r.graded && r.questions.length > 0 && r.questions.every((q) => !q.skipped);
}

/**
 * Closed = submitted and graded with its questions read, so the tool's word is in, yet not final (a question skipped):
 * the attempt never will be final, and it is over.
 */
export function isClosed(r: ExternalResult): boolean {
  return r.submitted && r.graded && r.questions.length > 0 && !isFinal(r);
}

function scoreStatusOf(r: ExternalResult): ScoreStatus {
  if (isFinal(r)) return 'fully graded';
  if (!r.submitted) return 'not submitted';
  return r.graded ? 'partially graded' : 'submitted';
}

/** A score outside the gradebook's range is the tool's fault: 502, and nothing is stored. */
export function checkPulledResult(tool: string, r: ExternalResult): void {
  const inRange = (v: number, max: number) => Number.isFinite(v) && v >= 0 && v <= max;
  if (r.score !== null && !inRange(r.score, 100)) {
    throw new AppError(ErrorCode.ToolBadResponse, `${tool} answered a score of ${r.score}, outside 0–100`);
  }
  const bad = r.questions.find((q) => !inRange(q.maxScore, Number.MAX_VALUE) || !inRange(q.score, q.maxScore));
  if (bad)
    throw new AppError(
      ErrorCode.ToolBadResponse,
      `${tool} answered question ${bad.questionId} scoring ${bad.score} of ${bad.maxScore}`,
    );
}

/** `readAt`: when the import asked the tool for `r`. */
export function toPulledResult(r: ExternalResult, readAt: Date): PulledResult {
  const correct = r.questions.filter((q) => q.correct).length;
  return {
    readAt,
    score: r.score,
    scoreStatus: scoreStatusOf(r),
    scoreDate: r.completedAt ?? null,
    closed: isClosed(r),
    metadata: {
      totalQuestions: r.totalQuestions,
      correctQuestions: correct,
      accuracy: r.score ?? 0,
      importedAt: new Date().toISOString(),
    },
    questions: r.questions.map((q) => ({
      questionId: q.questionId,
      score: q.score,
      maxScore: q.maxScore,
      correct: q.correct,
      skipped: q.skipped,
      scoreStatus: q.skipped ? 'not submitted' : r.graded ? 'fully graded' : 'submitted',
    })),
  };
}
