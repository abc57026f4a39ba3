import { AppError } from '@external-tests/common';
import type { SourcedRef } from '@external-tests/persistence';

/** JSON object as it arrives in a OneRoster body. */
export type OneRosterJson = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Where the response is served from, for absolute `href`s in references. */
export interface HrefContext {
  baseUrl: string;
}

const ROSTERING = '/ims/oneroster/rostering/v1p2';
const HREF_PATH: Record<string, string> = {
  org: `${ROSTERING}/orgs`,
  user: `${ROSTERING}/users`,
  course: `${ROSTERING}/courses`,
  class: `${ROSTERING}/classes`,
  academicSession: `${ROSTERING}/academicSessions`,
  term: `${ROSTERING}/terms`,
  resource: '/ims/oneroster/resources/v1p2/resources',
};

/** `{href, sourcedId, type}` as OneRoster GUIDRef serialises it. */
export function guidRef(ctx: HrefContext, type: string, sourcedId: string) {
  return { href: `${ctx.baseUrl}${HREF_PATH[type] ?? ROSTERING}/${encodeURIComponent(sourcedId)}`, sourcedId, type };
}

export const ref = (sourcedId: string | null | undefined): SourcedRef | null => (sourcedId ? { sourcedId } : null);
/** Adds `{key: {sourcedId}}` only when the reference is set (the schemas do not allow null there). */
export const optionalRef = (key: string, sourcedId: string | null | undefined) =>
  sourcedId ? { [key]: { sourcedId } } : {};
export const refId = (value: unknown): string | null =>
  value && typeof value === 'object' && typeof (value as SourcedRef).sourcedId === 'string'
    ? (value as SourcedRef).sourcedId
    : null;
export const iso = (d: Date | string | null | undefined): string | null =>
  d === null || d === undefined ? null : (d instanceof Date ? d : new Date(d)).toISOString();
export const bool = (v: unknown): boolean | null =>
  v === true || v === 'true' ? true : v === false || v === 'false' ? false : null;

/*
 * A mapper extends baseFrom's or baseTo's object with Object.assign, not by spreading it into a literal: Node 20's
 * V8 gives an object copied by a leading spread a hidden class of its own, and every key added after it builds another
 * (about 1.7 µs a key: a result's wire shape took 25 µs, three of them per write-back, against 1.1 µs now). On Node
 * 22, 24 and 26 both forms cost 1-2 µs.
 */

/** The fields every OneRoster object shares (dateLastModified is the database's to set). */
export function baseFrom(json: OneRosterJson) {
  return {
    sourcedId: String(json.sourcedId),
    // Absent: the stored status, or active for a new object (see write-checks.ts).
    status: json.status as 'active' | 'tobedeleted' | undefined,
    metadata: (json.metadata ?? null) as Record<string, unknown> | null,
  };
}

export function baseTo(e: {
  sourcedId: string;
  status: string;
  dateLastModified: Date;
  metadata?: Record<string, unknown> | null;
}) {
  return {
    sourcedId: e.sourcedId,
    status: e.status,
    dateLastModified: iso(e.dateLastModified)!,
    metadata: e.metadata ?? {},
  };
}

/**
 * `sortOrder` is a JSON number upstream and a PostgreSQL integer here: a fraction or a value past 32 bits is the
 * caller's error (400 naming the field), not a failed statement.
 */
export function sortOrderOf(value: unknown, field: string): number {
  const n = Number(value ?? 0);
  if (!Number.isInteger(n) || n < -2_147_483_648 || n > 2_147_483_647) {
    throw AppError.invalid(`${field} must be an integer from -2147483648 to 2147483647`, field);
  }
  return n;
}
