import { Global, Injectable, Module } from '@nestjs/common';

/** An assessment result was written through the gradebook. */
export interface ResultWritten {
  resultSourcedId: string;
  /** The OAuth client that wrote it (who speaks for a tool is the tool's provider to say). */
  writer?: string;
  /**
   * The stored result after the write, as the gradebook shows it (a write that did not move it forward leaves it
   * as it was; metadata includes the attempt).
   */
  stored: { scoreStatus: string; metadata: Record<string, unknown> };
}

export type ResultWrittenListener = (event: ResultWritten) => Promise<void>;

/**
 * "An assessment result was written" — published by the OneRoster gradebook (a tool's write-back), consumed by
 * the assignments module (finalization). Keeps the dependency one-way: the gradebook does not know who listens.
 * The gradebook publishes inside the write's transaction, so what listeners do commits with the write or not at all.
 */
@Injectable()
export class ResultEvents {
  private readonly listeners: ResultWrittenListener[] = [];

  onWritten(listener: ResultWrittenListener): void {
    this.listeners.push(listener);
  }

  async written(event: ResultWritten): Promise<void> {
    for (const listener of this.listeners) await listener(event);
  }
}

@Global()
@Module({ providers: [ResultEvents], exports: [ResultEvents] })
export class ResultEventsModule {}
