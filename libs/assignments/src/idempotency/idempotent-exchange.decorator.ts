import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '@external-tests/auth';

/** What idempotency reads of a request, on Express or Fastify (each names the matched route its own way). */
export interface IdempotentRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The body as parsed (not the DTO the handler receives): what the fingerprint is taken of. */
  body?: unknown;
  user?: Principal;
  /** Express: the matched route. */
  route?: { path?: string };
  /** Fastify: the matched route. */
  routeOptions?: { url?: string };
}

/** What it uses of the response: Express's Response and Fastify's reply both have these. */
export interface IdempotentResponse {
  statusCode: number;
  header(name: string, value: string): unknown;
}

/** The request and response an Idempotency-Key is honoured on (IdempotentExecution.run). */
export interface IdempotentExchange {
  req: IdempotentRequest;
  res: IdempotentResponse;
}

/**
 * The current request and response, for a handler that runs under IdempotentExecution. A parameter rather than an
 * interceptor: Nest wraps every intercepted handler in rxjs deferrals and AsyncResource bindings, which cost a
 * repeat call about 14 % of its CPU (BENCHMARKS.md) even on the requests that carry no key.
 */
export const Exchange = createParamDecorator(
  (_data: unknown, context: ExecutionContext): IdempotentExchange => ({
    req: context.switchToHttp().getRequest<IdempotentRequest>(),
    res: context.switchToHttp().getResponse<IdempotentResponse>(),
  }),
);
