import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * An Idempotency-Key seen from one client (IETF draft / Stripe semantics): the request fingerprint, whether
 * the first request is still running (with a lock that expires), and its sealed response for replays.
 */
@Entity({ tableName: 'idempotency_keys' })
export class IdempotencyKey {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'text' })
  clientId!: string;

  @PrimaryKey({ type: 'text' })
  key!: string;

  /** Method + route + canonical body, hashed: the same key with another request is refused. */
  @Property({ type: 'text' })
  fingerprint!: string;

  @Enum({ items: ['in_flight', 'done'] })
  state!: 'in_flight' | 'done';

  @Property({ type: 'timestamptz', nullable: true })
  lockedUntil?: Date | null;

  /** Who holds the lock: only that request may finish or release the record. */
  @Property({ type: 'uuid', nullable: true })
  lockToken?: string | null;

  @Property({ type: 'integer', nullable: true })
  responseStatus?: number | null;

  /** AES-256-GCM sealed response body (it may carry test credentials). */
  @Property({ type: 'text', nullable: true, hidden: true })
  responseSealed?: string | null;

  @Index()
  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
