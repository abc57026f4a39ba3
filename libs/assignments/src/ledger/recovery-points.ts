/**
 * The points of the assignment flow where a process may die between two recorded steps (docs/ledger.md).
 * Tests stop the flow at each one (AssignmentsOptions.recoveryPoint) to prove a resumed request never
 * repeats a finished step.
 */
export type RecoveryPoint =
  | 'claimed' // the attempt is leased, nothing asked of the tool yet
  | 'class.intent' // the class intent is recorded, the tool not asked yet
  | 'class.made' // the tool made the class, its id not recorded yet
  | 'login.intent' // the password is recorded, not set at the tool yet
  | 'login.made' // the login works at the tool, not recorded yet
  | 'assignment.made' // the tool made the assignment, not recorded yet
  | 'assignment.stored' // recorded, the response not sent yet
  | 'finalizing'; // the attempt is marked final, enrolled and the outcome recorded, inside the transaction of the write that made it final

export interface RecoveryPointContext {
  lessonSourcedId?: string;
  studentSourcedId?: string;
  attempt?: number;
  resultSourcedId?: string;
}

/** Called at every recovery point (tests and diagnostics); resolving lets the flow go on. */
export type RecoveryPointHook = (point: RecoveryPoint, at: RecoveryPointContext) => Promise<void> | void;
