import { AppError, ErrorCode } from '@external-tests/common';
import type { ExternalResult } from '@external-tests/providers';
import { checkPulledResult, isClosed, isFinal, toPulledResult } from './pulled-result';

const q = (score: number, o: { maxScore?: number; skipped?: boolean } = {}) => ({
  questionId: `q${score}`,
  score,
  maxScore: o.maxScore ?? 1,
  correct: score > 0,
  skipped: o.skipped ?? false,
});
const result = (o: Partial<ExternalResult> = {}): ExternalResult => ({
  submitted: true,
  graded: true,
  score: 50,
  questions: [q(1), q(0)],
  totalQuestions: 2,
  ...o,
});

describe('pulled results', () => {
  it('are final when submitted, graded and every question answered', () => {
    expect(isFinal(result())).toBe(true);
    expect(isFinal(result({ graded: false }))).toBe(false);
    expect(isFinal(result({ submitted: false }))).toBe(false);
    expect(isFinal(result({ questions: [q(1), q(0, { skipped: true })] }))).toBe(false);
    expect(isFinal(result({ questions: [] }))).toBe(false);
  });

  it('are closed when graded and read but never final: a question skipped', () => {
    const skipped = result({ questions: [q(1), q(0, { skipped: true })] });
    expect(isClosed(skipped)).toBe(true);
    expect(toPulledResult(skipped, new Date())).toMatchObject({ closed: true, scoreStatus: 'partially graded' });
    expect(isClosed(result())).toBe(false);
    expect(isClosed({ ...skipped, graded: false })).toBe(false);
    expect(isClosed({ ...skipped, submitted: false })).toBe(false);
    expect(isClosed(result({ questions: [] }))).toBe(false);
  });

  it('map to the stored shape: status, counts, per-question statuses', () => {
    const stored = toPulledResult(result(), new Date());
    expect(stored).toMatchObject({
      score: 50,
      scoreStatus: 'fully graded',
      metadata: { totalQuestions: 2, correctQuestions: 1, accuracy: 50 },
    });
    expect(stored.questions.map((x) => x.scoreStatus)).toEqual(['fully graded', 'fully graded']);
    expect(toPulledResult(result({ graded: false }), new Date()).scoreStatus).toBe('submitted');
    expect(toPulledResult(result({ submitted: false }), new Date()).scoreStatus).toBe('not submitted');
  });

  it.each([
    ['a score above 100', result({ score: 100.5 })],
    ['a negative score', result({ score: -1 })],
    ['a question above its maximum', result({ questions: [q(2, { maxScore: 1 })] })],
    ['a non-finite score', result({ score: Number.POSITIVE_INFINITY })],
  ])('%s is the tool’s fault (TOOL_BAD_RESPONSE)', (_name, r) => {
    let error: unknown;
    try {
      checkPulledResult('Edulastic', r);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(ErrorCode.ToolBadResponse);
  });
});
