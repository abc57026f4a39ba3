import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AppError, canonicalJson, ErrorCode } from '@external-tests/common';
import { IdempotencyKeyRepository } from '@external-tests/persistence';
import { AssignmentsOptions } from '../assignments-options';
import { ASSIGNMENTS_OPTIONS } from '../assignments.module-definition';

/** `new` carries the lock token only this request may finish or release the record with. */
export type Begin = { kind: 'new'; lockToken: string } | { kind: 'replay'; status: number; body: unknown };

export function fingerprint(method: string, route: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${route} ${canonicalJson(body)}`)
    .digest('hex');
}

/**
 * What a key's record means to a caller: a concurrent duplicate sees the live lock (409), a finished one the
 * stored response (replay, sealed at rest), a different request 422.
 */
@Injectable()
export class IdempotencyStore {
  constructor(
    private readonly keys: IdempotencyKeyRepository,
    @Inject(ASSIGNMENTS_OPTIONS) private readonly options: AssignmentsOptions,
  ) {}

  async begin(clientId: string, key: string, print: string, lockSeconds: number): Promise<Begin> {
    const claim = await this.keys.claim(clientId, key, print, lockSeconds);
    if (claim.claimed) return { kind: 'new', lockToken: claim.lockToken };
    const row = claim.record;
    if (!row) return this.begin(clientId, key, print, lockSeconds); // reaped in between: try again
    if (row.fingerprint !== print) {
      throw AppError.invalidData(
        'This Idempotency-Key was already used with a different request',
        'Idempotency-Key',
        ErrorCode.IdempotencyKeyReused,
      );
    }
    if (row.state === 'in_flight') {
      throw new AppError(ErrorCode.InProgress, 'A request with this Idempotency-Key is still in progress', {
        retryAfterSeconds: Math.min(Math.max(1, row.lockSeconds ?? 1), 5),
      });
    }
    return {
      kind: 'replay',
      status: row.responseStatus!,
      body: this.options.cipher.openJson(row.responseSealed!, `${clientId}:${key}`),
    };
  }

  finish(clientId: string, key: string, lockToken: string, status: number, body: unknown): Promise<void> {
    return this.keys.finish(clientId, key, lockToken, status, this.options.cipher.sealJson(body, `${clientId}:${key}`));
  }

  /** The request did not reach a final answer (validation, conflict, tool down…): the key may be used again. */
  release(clientId: string, key: string, lockToken: string): Promise<void> {
    return this.keys.release(clientId, key, lockToken);
  }

  reap(): Promise<number> {
    return this.keys.reap(this.options.idempotencyRetentionHours);
  }
}
