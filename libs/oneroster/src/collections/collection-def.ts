import type { EntityClass } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { HrefContext, OneRosterJson } from '../mappers/common';
import type { FieldMap } from '../query/field-spec';

export type Area = 'roster' | 'resource' | 'gradebook';

/**
 * The references a body may carry, by where they sit in it (`course`, `roles[].org`, `agents[]`), and the
 * collection each points into. Every one given must exist (422 naming it otherwise).
 */
export type References = Record<string, EntityClass<object>>;

/**
 * A property every stored object has, although a body may leave it out (the upstream PUT schema does not require
 * it, or cannot carry it). Left out, it keeps the stored value, else it is derived, else the write is 422 naming
 * `field` and saying `why`.
 */
export interface Needed {
  prop: string;
  /** As the body names it (without the wrapper), e.g. `school`. */
  field: string;
  why: string;
  /** The value when neither the body nor the stored object has one, or why it cannot be derived. */
  derive?(em: EntityManager, data: Record<string, unknown>): Promise<{ value: unknown } | { because: string }>;
}

/**
 * One OneRoster collection: its paths (as the upstream spec writes them), wrappers, entity, mapping and the
 * fields it can be filtered and sorted by. The generic service and controller do the rest.
 */
/** What every stored OneRoster object has; the generic service and controller know an entity only as this. */
export interface StoredObject {
  sourcedId: string;
  status: string;
}

export interface CollectionDef<E extends StoredObject = StoredObject> {
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
  /** Fields (keys of `fields`) the proprietary `search` parameter looks in: a part of their text, any case. */
  search?: string[];
  references?: References;
  needs?: Needed[];
  /** Body fields the spec types as `number` that are stored as 32-bit integers (sort positions): others are 422. */
  integers?: string[];
  /** Body fields a domain rule of the collection may refuse (422 naming the field), e.g. a score outside its range. */
  ruled?: string[];
  /**
   * Fields derived from other rows (an org's children), filled into every object the collection answers with,
   * as `to` made them: one statement for a whole page, run where `em` runs (a PUT's transaction too).
   */
  derived?: {
    /** The fields it fills (a `fields` projection naming none of them skips its statement). */
    fields: string[];
    fill(em: EntityManager, objects: OneRosterJson[], ctx: HrefContext): Promise<void>;
  };
  /**
   * Taken first in a write's transaction, before the object's own row is locked. A write that also changes other
   * rows of the collection (an org's old and new parent) waits here, so two such writes never hold each other's rows.
   */
  lockBeforeWrite?(em: EntityManager): Promise<void>;
  /**
   * Last say before a write is stored (derived fields, domain rules). Returns the data to store, or
   * `undefined` to leave the stored object as it is (an idempotent no-op that still answers success).
   */
  prepareWrite?(
    em: EntityManager,
    data: Record<string, unknown>,
    existing: E | null,
    referenced: ReferencedRows,
  ): Promise<Record<string, unknown> | undefined>;
}

/** The objects a body references, as the reference check read them: by entity, then sourcedId; stored column names. */
export type ReferencedRows = Map<EntityClass<object>, Map<string, Record<string, unknown>>>;
