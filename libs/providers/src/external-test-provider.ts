import type { ToolLedger } from './tool-ledger';

/** The tools we can assign external tests on (resource.metadata.toolProvider). */
export type ToolProviderName = 'edulastic' | 'mastery-track';
export const TOOL_PROVIDER_NAMES: readonly ToolProviderName[] = ['edulastic', 'mastery-track'];

export type LessonType = 'test-out' | 'placement' | 'unit-test';
export const EXTERNAL_LESSON_TYPES: readonly LessonType[] = ['test-out', 'placement', 'unit-test'];

export interface LessonSpec {
  sourcedId: string;
  title: string;
  lessonType: LessonType;
  subject?: string;
  grades: string[];
  /** The tool's test id (Edulastic), from resource.vendorId or metadata.vendorId. */
  vendorId?: string;
}

export interface StudentSpec {
  sourcedId: string;
  email: string;
  givenName: string;
  familyName: string;
}

export interface AssignContext {
  /** Resolved tool account ('default' or the applicationName). */
  account: string;
  student: StudentSpec;
  lesson: LessonSpec;
  /** Explicit test to assign (MasteryTrack), overriding subject + grade. */
  testId?: string;
  lineItemSourcedId: string;
  resultSourcedId: string;
  attempt: number;
  /** Epoch ms by which every tool call of this assignment must be over (the flow ends before its lease). */
  deadlineAt: number;
  /** What we made at the tool, recorded step by step (classes, logins, whose assignment is whose). */
  ledger: ToolLedger;
}

export interface ExternalAssignment {
  assignmentId: string;
  classId?: string;
  testId?: string;
  /** The tool's name for the test, when it chose one (kept to tell tests apart later). */
  testTitle?: string;
  testUrl: string;
  credentials?: { email: string; password: string };
  /** The tool's id of the student it is assigned to, when the tool has one: the import finds the student's work by it. */
  toolUserId?: string;
  /** True when the tool already had this assignment (made for this attempt before a crash) and we adopted it. */
  adopted: boolean;
}

/**
 * What a stored assignment needs to fetch its results (pulled results), and the student it was made for: the tool's
 * id of that student when recorded, else their email (an assignment recorded before the tool's user id was).
 */
export type StoredAssignmentRef = {
  account: string;
  assignmentId: string;
  classId?: string;
  testId?: string;
} & StudentAtTool;

/** The student an assignment was made for: the tool's user when recorded (MasteryTrack's is the email it was made for), else their email now. */
export type StudentAtTool = { toolUserId: string } | { studentEmail: string };

export interface QuestionResult {
  questionId: string;
  score: number;
  maxScore: number;
  correct: boolean;
  skipped: boolean;
}

export interface ExternalResult {
  submitted: boolean;
  graded: boolean;
  /** 0-100. */
  score: number | null;
  questions: QuestionResult[];
  totalQuestions: number;
  completedAt?: Date;
}

/** A result a tool wrote to our gradebook, as stored. */
export interface DeliveredResult {
  scoreStatus: string;
  /** OneRoster allows null; an attempt finalized without a score would be decided (enrolled) as if it were 0. */
  score: number | null;
  metadata: Record<string, unknown>;
}

/** One assessment tool, behind the EXTERNAL_TEST_PROVIDERS token (ARCHITECTURE.md §3). */
interface ProviderBase {
  readonly name: ToolProviderName;
  /** Maps applicationName to a configured account; throws 422 for an unknown one. */
  resolveAccount(applicationName?: string): string;
  /**
   * The tool is asked for one student's assignments by one request at a time: the flow runs `assign` inside
   * `ctx.ledger.alone` (a new attempt's claim takes the student's seat). Needed when the tool's "already exists" does
   * not say for which attempt (MasteryTrack), or when `assign` decides from the student's other assignments
   * (`ctx.ledger.testsOfStudent`), which must stand still until its own is recorded (Edulastic's held tests).
   */
  readonly assignsAlone: boolean;
  /**
   * With `assignsAlone`: `assign` reads `ctx.ledger.testsOfStudent` on every new assignment (Edulastic's held-test
   * check), so a new attempt's claim reads them along with the seat it takes (one statement fewer). Default false.
   */
  readonly readsGivenTests?: boolean;
  /**
   * The tool knows a student by email alone, with no user id of its own (MasteryTrack): each call is recorded as made
   * for that email (the ledger row's tool user) from the moment it may reach the tool, so a call whose answer is lost
   * holds the email as an assignment does. Default false (the tool's user id is recorded with its answer).
   */
  readonly knowsStudentsByEmail?: boolean;
  /** Throws 422 when the lesson lacks what this tool needs (vendorId, subject + grade…). */
  checkLesson(lesson: LessonSpec, testId?: string): void;
  /**
   * Assigns the attempt's test, making every tool object through `ctx.ledger` so a retry or a resumed request
   * never makes a second one; an "already exists" answer is adopted only when the ledger says it is this attempt's.
   */
  assign(ctx: AssignContext): Promise<ExternalAssignment>;
}

/** The tool writes results back to our gradebook (MasteryTrack). */
export interface PushedResultsProvider extends ProviderBase {
  readonly results: 'pushed';
  /** Whether a stored delivery makes the attempt final. */
  isFinalDelivery(r: DeliveredResult): boolean;
  /** Whether the OAuth client that wrote it speaks for this tool (only those deliveries may finalize). */
  acceptsDeliveryFrom(clientId: string | undefined): boolean;
  /**
   * Takes back an assignment no attempt may use: made for an attempt that a write-back finished while the tool was
   * asked. False when the tool no longer held it as active.
   */
  withdraw(w: WithdrawRef): Promise<boolean>;
}

/** An assignment to take back, and the student it was made for. */
export type WithdrawRef = { account: string; assignmentId: string; deadlineAt: number } & StudentAtTool;

/** We fetch results from the tool (Edulastic). */
export interface PulledResultsProvider extends ProviderBase {
  readonly results: 'pulled';
  fetchResult(ref: StoredAssignmentRef, deadlineAt?: number): Promise<ExternalResult>;
}

export type ExternalTestProvider = PushedResultsProvider | PulledResultsProvider;

export const EXTERNAL_TEST_PROVIDERS = Symbol('EXTERNAL_TEST_PROVIDERS');
