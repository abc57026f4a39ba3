import type { RecoveryPoint } from '@external-tests/assignments';
import type { RecoveryPoints } from './test-app';

/** Where each tool's assignment flow can die, in the order it passes them (docs/ledger.md). */
export const TOOL_RECOVERY_POINTS: Record<'mastery-track' | 'edulastic', RecoveryPoint[]> = {
  'mastery-track': ['claimed', 'assignment.made', 'assignment.stored'],
  edulastic: [
    'claimed',
    'class.intent',
    'class.made',
    'login.intent',
    'login.made',
    'assignment.made',
    'assignment.stored',
  ],
};

/**
 * Parks the first request of `studentSourcedId` that reaches `point` until `resume()`; `reached` settles when it gets
 * there. The hook is removed once it has parked one request.
 */
export function parkAt(
  points: RecoveryPoints,
  point: RecoveryPoint,
  studentSourcedId: string,
): { reached: Promise<void>; resume: () => void } {
  let arrived!: () => void;
  let resume!: () => void;
  const reached = new Promise<void>((r) => (arrived = r));
  const gate = new Promise<void>((r) => (resume = r));
  points.current = async (at, where) => {
    if (at !== point || where.studentSourcedId !== studentSourcedId) return;
    points.current = undefined;
    arrived();
    await gate;
  };
  return { reached, resume };
}
