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
  masteryTrack?: { baseUrl: string; accounts: Record<string, MasteryTrackAccount> };
  edulastic?: { baseUrl: string; appUrl: string; accounts: Record<string, EdulasticAccount> };
  http: VendorHttpSettings;
}

export const PROVIDER_OPTIONS = Symbol('PROVIDER_OPTIONS');
export const DEFAULT_ACCOUNT = 'default';
