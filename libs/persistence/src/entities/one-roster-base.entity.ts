import { Enum, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

export type OneRosterStatus = 'active' | 'tobedeleted';

/** Columns every OneRoster object has: a caller-chosen sourcedId, status, last-modified time and metadata. */
export abstract class OneRosterBase<Defaulted extends string = never> {
  [OptionalProps]?: 'status' | 'dateLastModified' | Defaulted;

  @PrimaryKey({ type: 'text' })
  sourcedId!: string;

  @Enum({ items: ['active', 'tobedeleted'], default: 'active' })
  status: OneRosterStatus = 'active';

  @Index()
  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  dateLastModified: Date = new Date();

  @Property({ type: 'jsonb', nullable: true })
  metadata?: Record<string, unknown> | null;
}

/** `{ sourcedId }` references as OneRoster serialises them. */
export interface SourcedRef {
  sourcedId: string;
}
