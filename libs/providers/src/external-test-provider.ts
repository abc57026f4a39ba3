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

export interface ToolClassRef {
  classId: string;
  classCode?: string | null;
}

export interface ToolLoginRef {
  externalUserId: string;
  email: string;
  password: string;
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
  /** The class this tool already has for (account, lesson), if any. */
  toolClass?: ToolClassRef;
  /** A login we already hold for this student on this tool account. */
  knownLogin?: ToolLoginRef;
}

export interface ExternalAssignment {
  assignmentId: string;
  classId?: string;
  testId?: string;
  testUrl: string;
  credentials?: { email: string; password: string };
  /** True when the tool already had this assignment and we adopted it. */
  adopted: boolean;
  /** A class created by this call, to remember for the next assignment of the lesson. */
  createdClass?: ToolClassRef;
  /** A login created or reset by this call, to remember for the student. */
  login?: ToolLoginRef;
}

/** What a stored assignment needs to fetch its results (pull-based tools). */
export interface StoredAssignmentRef {
  account: string;
  assignmentId: string;
  classId?: string;
  studentEmail: string;
  testId?: string;
}

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

/** One assessment tool, behind the EXTERNAL_TEST_PROVIDERS token (ARCHITECTURE.md §3). */
export interface ExternalTestProvider {
  readonly name: ToolProviderName;
  /** Maps applicationName to a configured account; throws 422 for an unknown one. */
  resolveAccount(applicationName?: string): string;
  /** Throws 422 when the lesson lacks what this tool needs (vendorId, subject + grade…). */
  checkLesson(lesson: LessonSpec, testId?: string): void;
  /** Assigns, adopting an assignment the tool already has (so retries stay single). */
  assign(ctx: AssignContext): Promise<ExternalAssignment>;
  fetchResult?(ref: StoredAssignmentRef): Promise<ExternalResult>;
}

export const EXTERNAL_TEST_PROVIDERS = Symbol('EXTERNAL_TEST_PROVIDERS');
