import { CredentialCipher } from '@external-tests/common';
import type { RecoveryPointHook } from './ledger/recovery-points';

export interface AssignmentsOptions {
  /** Seals test credentials at rest. */
  cipher: CredentialCipher;
  /** How long a request may hold an attempt while it talks to the tool. */
  leaseSeconds: number;
  /** How long Idempotency-Key records are kept (≥ 24 h). */
  idempotencyRetentionHours: number;
  /** Called at each recovery point of the assignment flow (tests stop the flow there to play a crash). */
  recoveryPoint?: RecoveryPointHook;
}
