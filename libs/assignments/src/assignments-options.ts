import { CredentialCipher } from '@app/common';

export interface AssignmentsOptions {
  /** Seals test credentials at rest. */
  cipher: CredentialCipher;
  /** How long a request may hold an attempt while it talks to the tool. */
  leaseSeconds: number;
  /** How long Idempotency-Key records are kept (≥ 24 h). */
  idempotencyRetentionHours: number;
}

export const ASSIGNMENTS_OPTIONS = Symbol('ASSIGNMENTS_OPTIONS');
