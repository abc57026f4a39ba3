import type { EntityClass } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { HrefContext, OneRosterJson } from '../mappers/common';
import type { FieldMap } from '../query/field-spec';

export type Area = 'roster' | 'resource' | 'gradebook';

/** A reference a write must point at: its absence is the caller's error (422). */
export interface Reference {
  entity: EntityClass<object>;
  sourcedId: string | null | undefined;
  field: string;
}

/**
 * One OneRoster collection: its paths (as the upstream spec writes them), wrappers, entity, mapping and the
 * fields it can be filtered and sorted by. The generic service and controller do the rest.
 */
export interface CollectionDef<E extends { sourcedId: string } = any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  /** List wrapper, e.g. `users`. */
  plural: string;
  /** Single wrapper, e.g. `user`. */
  singular: string;
  /** Route without trailing slash. */
  path: string;
  /** Spec path of the list/POST operation and of the single-object operations. */
  specListPath: string;
  specOnePath: string;
  area: Area;
  tag: string;
  entity: EntityClass<E>;
  from(json: OneRosterJson): Record<string, unknown>;
  to(entity: E, ctx: HrefContext): OneRosterJson;
  fields: FieldMap;
  /** Properties the proprietary `search` parameter looks in. */
  search?: string[];
  references?(data: Record<string, unknown>): Reference[];
  /**
   * Last say before a write is stored (derived fields, domain rules). Returns the data to store, or
   * `undefined` to leave the stored object as it is (an idempotent no-op that still answers success).
   */
  prepareWrite?(em: EntityManager, data: Record<string, unknown>, existing: E | null): Promise<Record<string, unknown> | undefined>;
}
