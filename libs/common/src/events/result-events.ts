import { Global, Injectable, Module } from '@nestjs/common';

export type ResultWrittenListener = (resultSourcedId: string) => Promise<void>;

/**
 * "An assessment result was written" — published by the OneRoster gradebook (the MasteryTrack write-back),
 * consumed by the assignments module (finalization). Keeps the dependency one-way: the gradebook does not
 * know who listens. Listeners run before the write is answered, so the caller sees their effects.
 */
@Injectable()
export class ResultEvents {
  private readonly listeners: ResultWrittenListener[] = [];

  onWritten(listener: ResultWrittenListener): void {
    this.listeners.push(listener);
  }

  async written(resultSourcedId: string): Promise<void> {
    for (const listener of this.listeners) await listener(resultSourcedId);
  }
}

@Global()
@Module({ providers: [ResultEvents], exports: [ResultEvents] })
export class ResultEventsModule {}
