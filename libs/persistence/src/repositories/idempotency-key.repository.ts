import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { runPrepared } from '../prepared-statement';
import { randomUUID } from 'node:crypto';

/** The record a claim found instead of taking the key (absent: reaped between the insert and the read). */
export interface IdempotencyRecord {
  fingerprint: string;
  state: 'in_flight' | 'done';
  /** Seconds left on an in-flight lock (negative once expired). */
  lockSeconds: number | null;
  responseStatus: number | null;
  responseSealed: string | null;
}

export type IdempotencyClaim = { claimed: true; lockToken: string } | { claimed: false; record?: IdempotencyRecord };

/**
 * idempotency_keys, scoped by (client, key). One statement claims a key: a new key, or an in-flight one whose
 * lock expired with the same fingerprint. Only the holder of the lock token may finish or release a record.
 */
@Injectable()
export class IdempotencyKeyRepository {
  constructor(private readonly em: EntityManager) {}

  async claim(clientId: string, key: string, fingerprint: string, lockSeconds: number): Promise<IdempotencyClaim> {
    const lockToken = randomUUID();
    const [row] = await runPrepared<{
      claimed: boolean;
      fingerprint: string | null;
      state: 'in_flight' | 'done';
      lock_seconds: number | null;
      response_status: number | null;
      response_sealed: string | null;
    }>(
      this.em,
      `with claimed as (
         insert into idempotency_keys (client_id, key, fingerprint, state, locked_until, lock_token)
         values (?, ?, ?, 'in_flight', now() + make_interval(secs => ?), ?)
         on conflict (client_id, key) do update
           set locked_until = excluded.locked_until, lock_token = excluded.lock_token
           where idempotency_keys.state = 'in_flight' and idempotency_keys.locked_until < now()
             and idempotency_keys.fingerprint = excluded.fingerprint
         returning true claimed
       )
       select coalesce((select claimed from claimed), false) claimed, k.fingerprint, k.state,
              extract(epoch from (k.locked_until - now()))::float8 lock_seconds, k.response_status, k.response_sealed
       from (select 1) one left join idempotency_keys k on k.client_id = ? and k.key = ?`,
      [clientId, key, fingerprint, lockSeconds, lockToken, clientId, key],
    );
    if (row.claimed) return { claimed: true, lockToken };
    if (row.fingerprint === null) return { claimed: false };
    return {
      claimed: false,
      record: {
        fingerprint: row.fingerprint,
        state: row.state,
        lockSeconds: row.lock_seconds,
        responseStatus: row.response_status,
        responseSealed: row.response_sealed,
      },
    };
  }

  async finish(clientId: string, key: string, lockToken: string, status: number, sealed: string): Promise<void> {
    await runPrepared(
      this.em,
      `update idempotency_keys set state = 'done', locked_until = null, lock_token = null, response_status = ?, response_sealed = ?
       where client_id = ? and key = ? and lock_token = ?`,
      [status, sealed, clientId, key, lockToken],
    );
  }

  async release(clientId: string, key: string, lockToken: string): Promise<void> {
    await runPrepared(
      this.em,
      "delete from idempotency_keys where client_id = ? and key = ? and state = 'in_flight' and lock_token = ?",
      [clientId, key, lockToken],
    );
  }

  /**
   * Deletes records older than the retention window, `batch` per statement (each stays short, within the
   * statement timeout, however many accumulated); returns how many.
   */
  async reap(retentionHours: number, batch = 5_000): Promise<number> {
    let total = 0;
    for (;;) {
      const [row] = await runPrepared<{ n: number }>(
        this.em,
        `with gone as (
           delete from idempotency_keys where (client_id, key) in (
             select client_id, key from idempotency_keys where created_at < now() - make_interval(hours => ?) limit ?
           ) returning 1
         )
         select count(*)::int n from gone`,
        [retentionHours, batch],
      );
      total += row.n;
      if (row.n < batch) return total;
    }
  }
}
