import { AppError } from '@external-tests/common';
import { mergeResultWrite } from './result.rules';

const stored = {
  sourcedId: 'r1',
  status: 'active' as const,
  studentSourcedId: 's1',
  lineItemSourcedId: 'li1',
  attempt: 2,
  scoreStatus: 'submitted' as const,
  scoreDate: new Date('2026-11-29T10:00:00Z'),
  finalizedAt: null,
  metadata: { attempt: 2, assignmentId: '77', toolProvider: 'mastery-track', note: 'kept unless replaced' },
};
const write = (o: Record<string, unknown> = {}) => ({
  studentSourcedId: 's1',
  lineItemSourcedId: 'li1',
  scoreStatus: 'fully graded',
  scoreDate: new Date('2026-11-29T11:00:00Z'),
  ...o,
});

describe('a write to an existing result (mergeResultWrite)', () => {
  it('moves forward: a higher status applies, a lower one or a finalized result is a no-op', () => {
    expect(mergeResultWrite(write(), stored)).toBeDefined();
    expect(mergeResultWrite(write({ scoreStatus: 'not submitted' }), stored)).toBeUndefined();
    expect(mergeResultWrite(write(), { ...stored, finalizedAt: new Date() })).toBeUndefined();
    // A deleted attempt of the assignment flow is void; another deleted result may be written (and revived).
    expect(mergeResultWrite(write(), { ...stored, status: 'tobedeleted' })).toBeUndefined();
    expect(mergeResultWrite(write(), { ...stored, status: 'tobedeleted', metadata: { note: 'x' } })).toBeDefined();
    expect(
      mergeResultWrite(write({ scoreStatus: 'exempt' }), { ...stored, scoreStatus: 'fully graded' }),
    ).toBeUndefined();
  });

  it('at the same status, an older scoreDate is a no-op; the same or a newer one applies', () => {
    const graded = { ...stored, scoreStatus: 'fully graded' as const };
    expect(mergeResultWrite(write({ scoreDate: new Date('2026-11-29T09:00:00Z') }), graded)).toBeUndefined();
    expect(mergeResultWrite(write({ scoreDate: stored.scoreDate }), graded)).toBeDefined();
    expect(mergeResultWrite(write(), graded)).toBeDefined();
  });

  it('keeps the attempt and the metadata the assignment flow owns, whatever the write carries', () => {
    const merged = mergeResultWrite(
      write({ metadata: { attempt: 9, assignmentId: 'forged', masteryTrackProcessed: true, note: 'new' } }),
      stored,
    );
    expect(merged).toMatchObject({
      attempt: 2,
      metadata: {
        attempt: 2,
        assignmentId: '77',
        toolProvider: 'mastery-track',
        masteryTrackProcessed: true,
        note: 'new',
      },
    });
  });

  it('refuses another student or line item (422)', () => {
    expect(() => mergeResultWrite(write({ studentSourcedId: 's2' }), stored)).toThrow(AppError);
    expect(() => mergeResultWrite(write({ lineItemSourcedId: 'li2' }), stored)).toThrow(/belongs to student 's1'/);
  });
});
