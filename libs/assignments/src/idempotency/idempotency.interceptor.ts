import { CallHandler, ExecutionContext, HttpException, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { from, Observable, of, throwError } from 'rxjs';
import { catchError, concatMap, mergeMap } from 'rxjs/operators';
import type { Principal } from '@external-tests/auth';
import { AppError, codeOfStatus, ErrorCode, httpStatusOf } from '@external-tests/common';
import { AssignmentsOptions } from '../assignments-options';
import { ASSIGNMENTS_OPTIONS } from '../assignments.module-definition';
import { authorityScope } from './idempotency-authority';
import { IDEMPOTENCY_HEADER, parseIdempotencyKey } from './idempotency-key.header';
import { fingerprint, IdempotencyStore } from './idempotency.store';
import { ReplayAuthorization } from './replay-authorization';

/** Answers that depend only on the request and the data: stored and replayed. Others free the key again. */
const FINAL_ERRORS = new Set([404, 422]);

/** What the interceptor reads of a request, on Express or Fastify (each names the matched route its own way). */
interface IdempotentRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body?: unknown;
  user?: Principal;
  /** Express: the matched route. */
  route?: { path?: string };
  /** Fastify: the matched route. */
  routeOptions?: { url?: string };
}

/** What it uses of the response: Express's Response and Fastify's reply both have these. */
interface IdempotentResponse {
  statusCode: number;
  header(name: string, value: string): unknown;
}

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
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly store: IdempotencyStore,
    @Inject(ASSIGNMENTS_OPTIONS) private readonly options: AssignmentsOptions,
    private readonly replayAuthorization: ReplayAuthorization,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<IdempotentRequest>();
    const res = context.switchToHttp().getResponse<IdempotentResponse>();
    const raw = req.headers[IDEMPOTENCY_HEADER];
    if (raw === undefined) return next.handle();
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
      if (stored) return throwError(() => replayedError(stored));
      return of(begun.body);
    }
    return next.handle().pipe(
      concatMap((body) =>
        from(store.finish(client, key, begun.lockToken, res.statusCode, body)).pipe(mergeMap(() => of(body))),
      ),
      catchError((err: unknown) => {
        const status =
          err instanceof AppError ? httpStatusOf(err.code) : err instanceof HttpException ? err.getStatus() : 500;
        const settle =
          FINAL_ERRORS.has(status) && err instanceof AppError
            ? store.finish(client, key, begun.lockToken, status, {
                error: { status, code: err.code, description: err.message, details: err.options.details },
              })
            : store.release(client, key, begun.lockToken);
        return from(settle).pipe(mergeMap(() => throwError(() => err)));
      }),
    );
  }
}

function replayedError(e: StoredError['error']): AppError {
  // The filter adds the code to every detail again: store and replay the caller's details only.
  const details = e.details?.map(({ code: _code, ...d }) => d).filter((d) => Object.keys(d).length > 0);
  return new AppError(e.code ?? codeOfStatus(e.status), e.description, { details });
}
