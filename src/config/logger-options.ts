import { trace } from '@opentelemetry/api';
import type { Params } from 'nestjs-pino';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Env } from './env.schema';
import { currentRequest, type RequestFacts } from '../http/request-scope';

/** Paths pino replaces with [Redacted]: tokens, passwords, credentials wherever they appear in a log object. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-auth-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.credentials',
  '*.access_token',
  '*.client_secret',
  '*.jwt',
  '*.token',
  'credentials',
  'password',
];

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Trust a well-formed incoming X-Request-Id (so calls can be traced across services), else make one. */
export function requestId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** The app's pino logger: every line of the app goes through it (Nest's Logger through nestjs-pino included). */
export function createAppLogger(env: Env, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level: env.LOG_LEVEL,
    redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
    // Method, path and status only: bodies and query strings may carry personal data.
    serializers: {
      req: (req: RequestFacts) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    // A line written while a request is served says which request (its id, method and path); with tracing on, also
    // the trace and span it belongs to. Computed only for lines actually written.
    mixin: () => {
      const req = currentRequest();
      const span = trace.getActiveSpan()?.spanContext();
      return {
        ...(req ? { req } : {}),
        ...(span ? { trace_id: span.traceId, span_id: span.spanId } : {}),
      };
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * nestjs-pino over the app's logger. Its per-request middleware is not registered (`forRoutes: []`): the request
 * scope (http/request-scope.ts, a Fastify hook) binds the logger and writes the one line per request instead, so
 * no Nest middleware runs on the request path.
 */
export function loggerModuleParams(logger: Logger): Params {
  return { pinoHttp: { logger }, forRoutes: [] };
}
