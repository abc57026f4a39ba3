import { Entity, Enum, Index, OneToOne, OptionalProps, Property, type Ref, Unique } from '@mikro-orm/core';
import { AssessmentResult } from './assessment-result.entity';

/**
 * Where a tool assignment stands: `open` — the attempt exists, nothing was asked of the tool; `pending` — a
 * request holds it (lease) or held it and may have reached the tool without recording the answer (crash,
 * timeout); `assigned` — the tool's id is recorded.
 */
export type ToolAssignmentState = 'open' | 'pending' | 'assigned';

/** What the assignment was asked with: what recovery needs to finish it like the caller would have. */
export interface ToolAssignmentRequest {
  applicationName?: string | null;
  requestedTestId?: string | null;
  skipCourseEnrollment?: boolean;
}

/**
 * The ledger of tool assignments (docs/ledger.md): one row per attempt of a lesson of a student, the
 * OneRoster result it fills, and the object the tool made for it. One tool assignment per purpose and one
 * purpose per tool assignment are unique constraints, not code paths.
 */
@Entity({ tableName: 'tool_assignments' })
@Unique({ name: 'tool_assignments_purpose_unique', properties: ['lessonSourcedId', 'studentSourcedId', 'attempt'] })
@Unique({ name: 'tool_assignments_external_unique', properties: ['tool', 'account', 'externalId'] })
@Index({ name: 'tool_assignments_student_index', properties: ['studentSourcedId', 'tool', 'account'] })
// Whether a tool user has a test open for a student (ToolLoginRepository's RESERVE_USER): only tools that record a user.
@Index({
  name: 'tool_assignments_tool_user_index',
  expression:
    'create index "tool_assignments_tool_user_index" on "tool_assignments" ("tool", "account", "tool_user_id") where "tool_user_id" is not null',
})
// What reconciliation resumes, in its order: given-up attempts stay pending for ever and would otherwise come first
// (their lease is over) in every run's scan.
@Index({
  name: 'tool_assignments_stuck_index',
  expression:
    'create index "tool_assignments_stuck_index" on "tool_assignments" ("lease_until" nulls first) where "state" = \'pending\' and "given_up_at" is null',
})
// What reconciliation withdraws, each index holding only what may be due, by tool: assignments of void attempts not
// yet withdrawn, and assignments noted on pending attempts (recordAssigned's attempt-over). Its scan reads those of
// the tools that take assignments back, not every attempt.
@Index({
  name: 'tool_assignments_void_index',
  expression:
    'create index "tool_assignments_void_index" on "tool_assignments" ("tool", "result_sourced_id") where "state" = \'assigned\' and "result_void" and "withdrawn_at" is null and "external_id" is not null',
})
@Index({
  name: 'tool_assignments_noted_index',
  expression:
    'create index "tool_assignments_noted_index" on "tool_assignments" ("tool", "result_sourced_id") where "state" = \'pending\' and "external_id" is not null',
})
export class ToolAssignment {
  [OptionalProps]?: 'state' | 'request' | 'createdAt' | 'called' | 'resultVoid';

  /**
   * The OneRoster assessment result of the attempt (the tool writes back to it), made in the statement that makes
   * this row. A foreign key: a result that a tool object was made for cannot be hard-deleted from under its ledger
   * row (a OneRoster DELETE only marks it `tobedeleted`, which reconciliation follows).
   */
  @OneToOne({
    entity: () => AssessmentResult,
    primary: true,
    fieldName: 'result_sourced_id',
    ref: true,
    deleteRule: 'no action',
    updateRule: 'no action',
  })
  result!: Ref<AssessmentResult>;

  @Property({ type: 'text' })
  lessonSourcedId!: string;

  @Property({ type: 'text' })
  studentSourcedId!: string;

  @Property({ type: 'integer' })
  attempt!: number;

  /** Set when a request first claims the attempt (an attempt opened by createNewAttempt has none yet). */
  @Property({ type: 'text', nullable: true })
  tool?: string | null;

  @Property({ type: 'text', nullable: true })
  account?: string | null;

  @Enum({ items: ['open', 'pending', 'assigned'], default: 'open' })
  state: ToolAssignmentState = 'open';

  @Property({ type: 'uuid', nullable: true })
  leaseToken?: string | null;

  /** A call to the tool was started for this attempt and its answer is not recorded (it may have made something). */
  @Property({ type: 'boolean', default: false })
  called: boolean = false;

  @Property({ type: 'timestamptz', nullable: true })
  leaseUntil?: Date | null;

  /**
   * `npm run reconcile` gave this pending attempt up: the tool refused its recorded request. It stays `pending`, so a
   * late write-back of what a lost call made still finalizes it; reconciliation skips it until a request resumes it.
   */
  @Property({ type: 'timestamptz', nullable: true })
  givenUpAt?: Date | null;

  /** The tool's assignment id. */
  @Property({ type: 'text', nullable: true })
  externalId?: string | null;

  /** The tool class the assignment lives in (Edulastic). */
  @Property({ type: 'text', nullable: true })
  classId?: string | null;

  /** The tool's test id, when known (the requested test, or the one chosen). */
  @Property({ type: 'text', nullable: true })
  testId?: string | null;

  /** The tool's name for the test (MasteryTrack names it when it picks the test by subject and grade). */
  @Property({ type: 'text', nullable: true })
  testTitle?: string | null;

  @Property({ type: 'text', nullable: true })
  testUrl?: string | null;

  /**
   * The tool's id of the student the assignment was made for (Edulastic's user): the import finds the student's work
   * by it. Not the email: the student's email may change, and a changed email is a new login at the tool.
   */
  @Property({ type: 'text', nullable: true })
  toolUserId?: string | null;

  /**
   * The login the assignment was made for (`tool_logins.credentials_sealed` of `toolUserId`), copied when it is
   * recorded: after an email change the student's login is a new user at the tool, which cannot open this assignment.
   */
  @Property({ type: 'text', nullable: true, hidden: true })
  loginSealed?: string | null;

  /**
   * The attempt's result is not `active` (deleted: the attempt is void). Kept by the database, not by the writers: a
   * trigger on `assessment_results` (Migration20261204040000) sets it whenever a result's status changes, whoever
   * changes it; a row is written with its result, `active`. What reconciliation's withdrawal scan reads instead of
   * joining every attempt's result.
   */
  @Property({ type: 'boolean', default: false })
  resultVoid: boolean = false;

  /** The attempt is void (its result deleted) and its assignment was withdrawn at the tool (`npm run reconcile`). */
  @Property({ type: 'timestamptz', nullable: true })
  withdrawnAt?: Date | null;

  @Property({ type: 'jsonb', defaultRaw: "'{}'" })
  request: ToolAssignmentRequest = {};

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  assignedAt?: Date | null;
}
