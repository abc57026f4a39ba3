import { EntityManager } from '@mikro-orm/postgresql';
import { createHash, randomUUID } from 'node:crypto';
import { AppError, canonicalJson, CredentialCipher, ErrorCode } from '@app/common';

/** `new` carries the lock token only this request may finish or release the record with. */
export type Begin = { kind: 'new'; lockToken: string } | { kind: 'replay'; status: number; body: unknown };


export function fingerprint(method: string, route: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${route} ${canonicalJson(body)}`).digest('hex');
}

/**
 * Idempotency records in PostgreSQL, scoped by (client, key). One statement claims a key; a concurrent
 * duplicate sees the live lock (409), a finished one the stored response (replay), a different request 422.
 */
export class IdempotencyStore {
  constructor(
    private readonly em: EntityManager,
    private readonly cipher: CredentialCipher,
  ) {}

  async begin(clientId: string, key: string, print: string, lockSeconds: number): Promise<Begin> {
    const lockToken = randomUUID();
    const [row] = await this.em.getConnection().execute<
      { claimed: boolean; fingerprint: string; state: string; lock_seconds: number | null; response_status: number | null; response_sealed: string | null }[]
    >(
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
      [clientId, key, print, lockSeconds, lockToken, clientId, key],
    );
    if (row.claimed) return { kind: 'new', lockToken };
    if (!row.fingerprint) return this.begin(clientId, key, print, lockSeconds); // reaped in between: try again
    if (row.fingerprint !== print) {
      throw AppError.invalidData('This Idempotency-Key was already used with a different request', 'Idempotency-Key', ErrorCode.IdempotencyKeyReused);
    }
    if (row.state === 'in_flight') {
      throw new AppError(ErrorCode.InProgress, 'A request with this Idempotency-Key is still in progress', {
        retryAfterSeconds: Math.min(Math.max(1, row.lock_seconds ?? 1), 5),
      });
    }
    return { kind: 'replay', status: row.response_status!, body: this.cipher.openJson(row.response_sealed!, `${clientId}:${key}`) };
  }

  async finish(clientId: string, key: string, lockToken: string, status: number, body: unknown): Promise<void> {
    await this.em.getConnection().execute(
      `update idempotency_keys set state = 'done', locked_until = null, lock_token = null, response_status = ?, response_sealed = ?
       where client_id = ? and key = ? and lock_token = ?`,
      [status, this.cipher.sealJson(body, `${clientId}:${key}`), clientId, key, lockToken],
    );
  }

  /** The request did not reach a final answer (validation, conflict, tool down…): the key may be used again. */
  async release(clientId: string, key: string, lockToken: string): Promise<void> {
    await this.em
      .getConnection()
      .execute("delete from idempotency_keys where client_id = ? and key = ? and state = 'in_flight' and lock_token = ?", [clientId, key, lockToken]);
  }

  /** Deletes records older than the retention window; returns how many. */
  async reap(retentionHours: number): Promise<number> {
    const rows = await this.em
      .getConnection()
      .execute<{ n: number }[]>(
        'with gone as (delete from idempotency_keys where created_at < now() - make_interval(hours => ?) returning 1) select count(*)::int n from gone',
        [retentionHours],
      );
    return rows[0].n;
  }
}
