export interface MasteryTrackSandboxTest {
  timeback_id: string;
  name: string;
  subject: string;
  grade: string;
  grade_rank: number;
  /** Default true; unsupported tests are hidden from search and refused on assign (422). */
  supported?: boolean;
  /** Default 20; the totalQuestions reported on completion when the control call omits it. */
  questionCount?: number;
}

/** Where MasteryTrack writes results back (the platform's OneRoster gradebook and its token endpoint). */
export interface MasteryTrackWriteBackOptions {
  oneRosterBaseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  /**
   * Scope of the token the student page reads the result's student with (`…/gradebook.readonly`): the student signs
   * in by email, the write-back needs their sourcedId. Absent = the client's default scopes.
   */
  readScope?: string;
}

export interface MasteryTrackSandboxOptions {
  /** 0 / undefined = ephemeral port. */
  port?: number;
  /** Keep the state in this JSON file (read at start, written on change); in memory only when absent. */
  stateFile?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** The required `x-api-key` on /authorizer. */
  apiKey: string;
  /** Emails with API access; any other email gets 403 ACCESS_DENIED. */
  integratorEmails: string[];
  /** Host used in test_url and metadata.url; default the sandbox's own URL. */
  studentAppUrl?: string;
  /** How late every non-control call is answered; the work itself happens when the call arrives. */
  latencyMs?: number;
  /** Test inventory; DEFAULT_MASTERY_TRACK_TESTS when omitted. */
  tests?: readonly MasteryTrackSandboxTest[];
  writeBack?: MasteryTrackWriteBackOptions;
}
