import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { loggableError } from '@external-tests/common';
import { IdempotencyStore } from './idempotency.store';

const EVERY_MS = 15 * 60_000;

/** Deletes idempotency records past the retention window (every instance may run it; deletes are idempotent). */
@Injectable()
export class IdempotencyReaper implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(IdempotencyReaper.name);
  private timer?: NodeJS.Timeout;

  constructor(private readonly store: IdempotencyStore) {}

  onModuleInit(): void {
    this.timer = setInterval(
      () => void this.reap().catch((e: unknown) => this.logger.warn({ error: loggableError(e) }, 'Reaping failed')),
      EVERY_MS,
    );
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async reap(): Promise<number> {
    const n = await this.store.reap();
    if (n > 0) this.logger.log(`Reaped ${n} idempotency record(s)`);
    return n;
  }
}
