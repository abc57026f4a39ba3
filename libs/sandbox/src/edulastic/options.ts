export interface EdulasticSandboxTest {
  /** 24-hex ObjectId. */
  id: string;
  title: string;
  questionCount: number;
}

export interface EdulasticAccount {
  username: string;
  password: string;
}

export interface EdulasticSandboxOptions {
  /** 0 / undefined = ephemeral port. */
  port?: number;
  /** Keep the state in this JSON file (read at start, written on change); in memory only when absent. */
  stateFile?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** How late every non-control call is answered; the work itself happens when the call arrives. */
  latencyMs?: number;
  /** Teacher service accounts our platform owns. */
  accounts: EdulasticAccount[];
  /** DEFAULT_EDULASTIC_TESTS when omitted. */
  tests?: readonly EdulasticSandboxTest[];
}
