import type { RecoveryPoint } from '@external-tests/assignments';

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
