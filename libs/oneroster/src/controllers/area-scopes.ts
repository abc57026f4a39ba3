import { Scope } from '@external-tests/auth';
import type { Area } from '../collections/collection-def';

/** The scopes each OneRoster service area needs per kind of access (admin scopes always pass). */
export const AREA_SCOPES: Record<Area, { read: string[]; write: string[]; delete: string[] }> = {
  roster: {
    read: [Scope.RosterReadonly, Scope.RosterCoreReadonly],
    write: [Scope.RosterCreatePut],
    delete: [Scope.RosterDelete],
  },
  resource: { read: [Scope.ResourceReadonly], write: [Scope.ResourceCreatePut], delete: [Scope.ResourceDelete] },
  gradebook: { read: [Scope.GradebookReadonly], write: [Scope.GradebookCreatePut], delete: [Scope.GradebookDelete] },
};
