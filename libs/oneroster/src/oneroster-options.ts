export interface OneRosterOptions {
  /**
   * Where callers reach this service (PUBLIC_BASE_URL), path prefix included: every `href` in an answer starts with
   * it. Unset, an href follows the address the request used (a trusted proxy's X-Forwarded-Host and -Proto).
   */
  publicBaseUrl?: string;
}

export const ONEROSTER_OPTIONS = Symbol('ONEROSTER_OPTIONS');
