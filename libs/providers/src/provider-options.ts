export interface MasteryTrackAccount {
  apiKey: string;
  email: string;
}

export interface EdulasticAccount {
  username: string;
  password: string;
}

export interface VendorHttpSettings {
  attemptTimeoutMs: number;
  totalDeadlineMs: number;
  maxAttempts: number;
  maxConcurrency: number;
}

/** Tool configuration. `accounts.default` serves calls without applicationName; other keys are applicationNames. */
export interface ProviderOptions {
  /**
   * testUrlHosts: hosts MasteryTrack's test links may point at (anything else is refused as a bad response).
   * writeBackClients: OAuth client ids that speak for MasteryTrack; only their write-backs finalize attempts.
   */
  masteryTrack?: {
    baseUrl: string;
    accounts: Record<string, MasteryTrackAccount>;
    testUrlHosts: string[];
    writeBackClients: string[];
  };
  edulastic?: { baseUrl: string; appUrl: string; accounts: Record<string, EdulasticAccount> };
  http: VendorHttpSettings;
}

export const DEFAULT_ACCOUNT = 'default';
