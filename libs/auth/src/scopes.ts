const OR = 'https://purl.imsglobal.org/spec/or/v1p1/scope/';
const PP = 'https://purl.imsglobal.org/spec/powerpath/v1p1/scope/';

/** OAuth scopes as the upstream specs name them. */
export const Scope = {
  PowerPathReadonly: `${PP}powerpath.readonly`,
  PowerPathCreatePut: `${PP}powerpath.createput`,
  PowerPathDelete: `${PP}powerpath.delete`,
  PowerPathAdmin: `${PP}powerpath.admin`,
  RosterReadonly: `${OR}roster.readonly`,
  RosterCoreReadonly: `${OR}roster-core.readonly`,
  RosterCreatePut: `${OR}roster.createput`,
  RosterDelete: `${OR}roster.delete`,
  ResourceReadonly: `${OR}resource.readonly`,
  ResourceCreatePut: `${OR}resource.createput`,
  ResourceDelete: `${OR}resource.delete`,
  GradebookReadonly: `${OR}gradebook.readonly`,
  GradebookCreatePut: `${OR}gradebook.createput`,
  GradebookDelete: `${OR}gradebook.delete`,
  Admin: `${OR}admin`,
} as const;

export type ScopeValue = (typeof Scope)[keyof typeof Scope];

/** Scopes that imply every other one. */
export const ADMIN_SCOPES: readonly string[] = [Scope.Admin, Scope.PowerPathAdmin];

export const ALL_SCOPES: readonly string[] = Object.values(Scope);

/** The authenticated caller, as guards and controllers see it. */
export interface Principal {
  clientId: string;
  scopes: ReadonlySet<string>;
  /** Set when the token is restricted to one org (claim `org`). */
  org?: string;
}

/** True when the principal holds any of the required scopes (or an admin scope). */
export function hasAnyScope(principal: Principal, required: readonly string[]): boolean {
  if (ADMIN_SCOPES.some((s) => principal.scopes.has(s))) return true;
  return required.some((s) => principal.scopes.has(s));
}
