/** A class at the tool: its id and join code. */
export interface ToolClassRef {
  classId: string;
  classCode?: string | null;
}

/** A student's working login at the tool. */
export interface ToolLoginRef {
  externalUserId: string;
  email: string;
  password: string;
}

export interface ClassSteps {
  /**
   * A class of this student's own for the attempt, instead of the one the attempt's students share: for a student
   * whose tool user holds the lesson's test in the shared class through another student's record.
   */
  own?: boolean;
  /** Finds the class made for `ref` before a crash (the tool keeps `ref` with the class). */
  find(ref: string): Promise<ToolClassRef | undefined>;
  /** Makes the class, carrying `ref`. */
  create(ref: string): Promise<ToolClassRef>;
}

export interface LoginSteps {
  email: string;
  /** The recorded login the tool no longer knows (its user is gone): establish a new one in its place. */
  replacing?: ToolLoginRef;
  newPassword(): string;
  /**
   * Makes `credentials` work at the tool (sign up, or set the password of the existing user) and returns the
   * tool's user id. Runs again with the recorded password when a request died half-way. An existing user is
   * `adopt`ed before anything of it is changed: that records it as this student's login, and throws (422) when it is
   * another student's already (two students with one email, which the tool takes for one user).
   */
  establish(
    credentials: { email: string; password: string },
    adopt: (externalUserId: string) => Promise<void>,
  ): Promise<string>;
}

/** Whose a tool assignment is, by the ledger. */
export type AssignmentOwner =
  | { kind: 'this-attempt' }
  /**
   * `finished`: that attempt's result is final, so the assignment serves nothing any more. `anotherStudent`: the
   * attempt is another student's, whose tool user this student's is now (it passed on with the email).
   */
  | { kind: 'other-attempt'; lessonSourcedId: string; attempt: number; finished: boolean; anotherStudent: boolean }
  /**
   * Not recorded anywhere: made outside this service, or by an attempt whose answer was lost (`lessons`).
   * `contested`: this attempt asked without seeing the answer too, so it is this attempt's or one of `lessons`',
   * and nothing tells which (the tool does not say which result it writes back to).
   */
  | { kind: 'unknown'; lessons: string[]; contested: boolean };

/**
 * The assignment flow's record of what we make at a tool, given to a provider for one assignment. Every tool
 * object is made through it: intent recorded before the tool call, the tool's id right after, under a lease,
 * so a crash or a takeover resumes from the last recorded step.
 */
export interface ToolLedger {
  /** The class of this (account, lesson, attempt), or the student's own: recorded, found after a crash, or made now. */
  toolClass(steps: ClassSteps): Promise<ToolClassRef>;
  /** The student's login on this account: recorded, or established now (one request at a time per student). */
  studentLogin(steps: LoginSteps): Promise<{ login: ToolLoginRef; fresh: boolean }>;
  /** Call right before the tool call that makes the assignment: from then on a failure may leave one behind. */
  assignCallStarting(): void;
  /**
   * The tool refused the test the request names in a way that proves no call naming it on this account left an
   * assignment (MasteryTrack: it does not know the test). A resumed attempt then stops replaying its recorded request.
   * Not for "not offered any more" (a live assignment may predate that) nor for a test the tool picked itself.
   */
  namedTestRefused(): void;
  /**
   * Runs `calls` as the only request asking the tool for this student's assignments (waiting for another one to
   * finish, within the flow's deadline). The flow runs a provider's whole `assign` in it when the provider
   * `assignsAlone`; calling it again inside is allowed (the seat is this attempt's already).
   */
  alone<T>(calls: () => Promise<T>): Promise<T>;
  /**
   * Whose the tool's assignment `externalId` is. `afterUnknownAttempt`: this call's own earlier try may have made it
   * (it timed out after reaching the tool). Exact inside `alone`; elsewhere an unrecorded one is never this attempt's
   * unless this attempt's own call left it.
   */
  ownerOf(externalId: string, o?: { afterUnknownAttempt?: boolean }): Promise<AssignmentOwner>;
  /**
   * Tests the tool gave this student through us, by id or title, with the attempt each was given for; also those
   * another attempt asked for without recording the answer (the tool may have made it). This attempt's are left out.
   */
  testsOfStudent(): Promise<GivenTest[]>;
}

/** A test a tool gave a student through us (tool_assignments), and the attempt it was given for. */
export interface GivenTest {
  testId: string | null;
  testTitle: string | null;
  lessonSourcedId: string;
  attempt: number;
  /** False while the tool's answer to the attempt's call is not recorded (it may have made the assignment). */
  recorded: boolean;
  /** The attempt is final, closed (graded, never final) or void: its assignment is done with. */
  done: boolean;
}
