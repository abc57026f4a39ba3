import type { SourcedRef } from '@app/persistence';

/** JSON object as it arrives in a OneRoster body. */
export type OneRosterJson = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const ref = (sourcedId: string | null | undefined): SourcedRef | null => (sourcedId ? { sourcedId } : null);
export const refId = (value: unknown): string | null =>
  value && typeof value === 'object' && typeof (value as SourcedRef).sourcedId === 'string' ? (value as SourcedRef).sourcedId : null;
export const iso = (d: Date | string | null | undefined): string | null =>
  d === null || d === undefined ? null : (d instanceof Date ? d : new Date(d)).toISOString();
export const bool = (v: unknown): boolean | null => (v === true || v === 'true' ? true : v === false || v === 'false' ? false : null);

/** The fields every OneRoster object shares. */
export function baseFrom(json: OneRosterJson) {
  return {
    sourcedId: String(json.sourcedId),
    status: json.status === 'tobedeleted' ? ('tobedeleted' as const) : ('active' as const),
    metadata: (json.metadata ?? null) as Record<string, unknown> | null,
    dateLastModified: new Date(),
  };
}

export function baseTo(e: { sourcedId: string; status: string; dateLastModified: Date; metadata?: Record<string, unknown> | null }) {
  return { sourcedId: e.sourcedId, status: e.status, dateLastModified: iso(e.dateLastModified)!, metadata: e.metadata ?? null };
}
