import { Global, Injectable, Module } from '@nestjs/common';

/** An assessment result was written through the gradebook. */
export interface ResultWritten {
  resultSourcedId: string;
  /** The OAuth client that wrote it (who speaks for a tool is the tool's provider to say). */
  writer?: string;
  /** The write changed the stored result (false: a no-op — not forward, or the same representation again). */
  changed: boolean;
  /**
   * The stored result after the write, as the gradebook shows it (a write that did not move it forward leaves it
   * as it was; metadata includes the attempt).
   */
  stored: { scoreStatus: string; score: number | null; metadata: Record<string, unknown> };
  /** What listeners asked to read beside the write's row lock (LockedRead), by key; absent when it was not read. */
  read?: Record<string, unknown>;
}

/** What a listener changed on the written row (finalization marks it final): the write answers what is stored. */
export interface ResultRowChange {
  metadata: Record<string, unknown>;
  dateLastModified: Date;
}

export type ResultWrittenListener = (event: ResultWritten) => Promise<ResultRowChange | undefined | void>;

/**
 * A select a listener wants run in the write's first statement, beside the row lock, so that it needs no read of
 * its own: one value (jsonb or null), every `?` standing for the result's sourcedId (so no jsonb `?` operator).
 * It reads the statement's snapshot, taken before any wait for the lock: a hint for deciding, never the guard —
 * what the listener then writes must re-check what it relies on.
 */
export interface LockedRead {
  key: string;
  sql: string;
}

/**
 * "An assessment result was written" — published by the OneRoster gradebook (a tool's write-back), consumed by
 * the assignments module (finalization). Keeps the dependency one-way: the gradebook does not know who listens.
 * The gradebook publishes inside the write's transaction, so what listeners do commits with the write or not at all.
 * A write that loses to a concurrent transaction runs again whole, listeners included: a listener may hear one
 * write more than once, and only the last run's effects are kept (it must not act outside the transaction). A listener that waits on anything but the database holds the row's lock meanwhile, and idles the transaction
 * (PersistenceOptions.idleInTransactionTimeoutMs ends it past that long).
 */
@Injectable()
export class ResultEvents {
  private readonly listeners: ResultWrittenListener[] = [];
  private readonly lockedReads: LockedRead[] = [];

  onWritten(listener: ResultWrittenListener, read?: LockedRead): void {
    this.listeners.push(listener);
    if (read) this.lockedReads.push(read);
  }

  /** The reads the gradebook runs beside a result's row lock (their values arrive as ResultWritten.read). */
  get reads(): readonly LockedRead[] {
    return this.lockedReads;
  }

  /** Runs every listener in order; the last change any of them made to the row, if one did. */
  async written(event: ResultWritten): Promise<ResultRowChange | undefined> {
    let change: ResultRowChange | undefined;
    for (const listener of this.listeners) change = (await listener(event)) || change;
    return change;
  }
}

@Global()
@Module({ providers: [ResultEvents], exports: [ResultEvents] })
export class ResultEventsModule {}
