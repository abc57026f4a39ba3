import { HttpException, Inject, Injectable } from '@nestjs/common';
import { AppError, codeOfStatus, ErrorCode, httpStatusOf } from '@external-tests/common';
import { AssignmentsOptions } from '../assignments-options';
import { ASSIGNMENTS_OPTIONS } from '../assignments.module-definition';
import { authorityScope } from './idempotency-authority';
import type { IdempotentExchange } from './idempotent-exchange.decorator';
import { IDEMPOTENCY_HEADER, parseIdempotencyKey } from './idempotency-key.header';
import { fingerprint, IdempotencyStore } from './idempotency.store';
import { ReplayAuthorization } from './replay-authorization';

/** Answers that depend only on the request and the data: stored and replayed. Others free the key again. */
const FINAL_ERRORS = new Set([404, 422]);

interface StoredError {
  /** `code`: the domain code, replayed as it was (records from before codes were stored have only the status). */
  error: { status: number; code?: ErrorCode; description: string; details?: Record<string, string>[] };
}

/**
 * Optional `Idempotency-Key` on POST operations (IETF httpapi draft, Stripe semantics): scope (client and its
 * org restriction, see authorityScope; key); a retry after completion replays the stored answer with
 * `Idempotent-Replayed: true`, but only once the handler's own authorization checks pass again (ReplayAuthorization;
 * the guards have already run); the same key with a different request is 422; while the first is running,
 * 409 + Retry-After. Without the header, the natural idempotency of the operation still applies.
 *
 * The handler calls it with the validated body (`run(exchange, () => …)`): guards and validation have passed, so a
 * request refused by either never takes a key.
 */
@Injectable()
export class IdempotentExecution {
  constructor(
    private readonly store: IdempotencyStore,
    @Inject(ASSIGNMENTS_OPTIONS) private readonly options: AssignmentsOptions,
    private readonly replayAuthorization: ReplayAuthorization,
  ) {}

  async run<T>({ req, res }: IdempotentExchange, handler: () => Promise<T>): Promise<T> {
    const raw = req.headers[IDEMPOTENCY_HEADER];
    if (raw === undefined) return handler();
    const key = parseIdempotencyKey(raw);
    const client = authorityScope(req.user);
    const store = this.store;
    const route = req.route?.path ?? req.routeOptions?.url ?? req.url.split('?')[0];
    const begun = await store.begin(client, key, fingerprint(req.method, route, req.body), this.options.leaseSeconds);

    if (begun.kind === 'replay') {
      const stored = begun.status >= 400 ? (begun.body as StoredError)?.error : undefined;
      const refusal = await this.replayAuthorization.check(req.body, req.user).then(
        () => undefined,
        (e: Error) => e,
      );
      // What the checks answer now wins, unless it is the very answer stored (a 404 replayed as a 404).
      if (
        refusal &&
        !(
          refusal instanceof AppError &&
          stored &&
          refusal.code === (stored.code ?? codeOfStatus(stored.status)) &&
          refusal.message === stored.description
        )
      ) {
        throw refusal;
      }
      res.header('Idempotent-Replayed', 'true');
      if (stored) throw replayedError(stored);
      return begun.body as T;
    }
    try {
      const body = await handler();
      await store.finish(client, key, begun.lockToken, res.statusCode, body);
      return body;
    } catch (err) {
      const status =
        err instanceof AppError ? httpStatusOf(err.code) : err instanceof HttpException ? err.getStatus() : 500;
      await (FINAL_ERRORS.has(status) && err instanceof AppError
        ? store.finish(client, key, begun.lockToken, status, {
            error: { status, code: err.code, description: err.message, details: err.options.details },
          })
        : store.release(client, key, begun.lockToken));
      throw err;
    }
  }
}

function replayedError(e: StoredError['error']): AppError {
  // The filter adds the code to every detail again: store and replay the caller's details only.
  const details = e.details?.map(({ code: _code, ...d }) => d).filter((d) => Object.keys(d).length > 0);
  return new AppError(e.code ?? codeOfStatus(e.status), e.description, { details });
}
