import { MikroORM } from '@mikro-orm/core';
import { BadRequestException, INestApplication, UnsupportedMediaTypeException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { parse as parseForm } from 'node:querystring';
import { AppError, ErrorCode, imsxEnvelope, jsonDepthExceeds, MAX_JSON_DEPTH } from '@external-tests/common';
import { DEV_TOKEN_PATH } from '@external-tests/auth';
import { Env } from './config/env.schema';
import { requestId } from './config/logger-options';
import { QuietStartupLogger } from './config/quiet-startup-logger';
import { trustedProxies } from './config/trusted-proxies';
import { APP_LOGGER } from './http/app-logger.token';
import { answerClientError } from './http/client-errors';
import { refuseWhileClosing } from './http/closing';
import { checkRequestHeaders } from './http/request-headers';
import { RouteMethods } from './http/method-not-allowed';
import { registerRequestScope } from './http/request-scope';
import { registerSecurityHeaders } from './http/security-headers';
import { answerUnknownPath } from './http/unknown-path';
import { parseQuery, refuseMalformedQuery } from './http/strict-query';
import { STOP_SIGNALS } from './stop-signals';
import { setupSwagger } from './swagger';

/** The largest request body, JSON or form (100 KiB). */
export const BODY_LIMIT = 100 * 1024;

/** As Express routed: /path/ is /path, and paths match whatever their case. */
const ROUTER_OPTIONS = {
  ignoreTrailingSlash: true,
  caseSensitive: false,
  maxParamLength: 2048,
  querystringParser: parseQuery,
};

/** How long a whole request may take to arrive, unless HTTP_REQUEST_TIMEOUT_MS says otherwise (30 s). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** The routes that take a form body: the development issuer's token endpoint. */
const FORM_ROUTES = new Set([DEV_TOKEN_PATH]);

/**
 * The HTTP platform, Fastify, with the settings only its constructor takes. `env` is the raw environment the app
 * is built from (process.env with any overrides): TRUSTED_PROXIES is read here, before the app validates it.
 */
export function createHttpAdapter(env: Record<string, string | undefined> = process.env): FastifyAdapter {
  // X-Forwarded-For (and -Proto) is believed only from the proxies named in TRUSTED_PROXIES (default none): anyone
  // else could pick their own address, and with it their own rate-limit bucket.
  const proxies = trustedProxies(env.TRUSTED_PROXIES);
  // A request whose headers or body trickle in holds its socket (and, before authentication, costs the sender
  // nothing): the whole request must arrive within this, else 408 and the connection closes. Fastify's default is no
  // limit at all (it turns off Node's 300 s).
  // Read before the environment is validated (which refuses a bad value with its own message): the default till then.
  const configured = Number(env.HTTP_REQUEST_TIMEOUT_MS);
  const requestTimeout =
    Number.isInteger(configured) && configured >= 1_000 && configured <= 600_000
      ? configured
      : DEFAULT_REQUEST_TIMEOUT_MS;
  return new FastifyAdapter({
    requestTimeout,
    http: {
      // Node reads it here, when the server is made: Fastify's own setting, assigned afterwards, only shows.
      requestTimeout,
      // Node checks its timeouts this often (30 s by default, so a limit could be overrun by that much).
      connectionsCheckingInterval: Math.min(5_000, Math.ceil(requestTimeout / 4)),
      // Node answers a missing Host itself, outside the imsx envelope: checkRequestHeaders does.
      requireHostHeader: false,
    },
    // No Nest middleware runs in this app (http/request-scope.ts does per-request work as Fastify hooks), so Fastify
    // does without middie, the Express-middleware layer Nest otherwise puts in front of every request.
    skipMiddie: true,
    // Requests arriving while the server closes are answered by refuseWhileClosing, in the envelope.
    return503OnClosing: false,
    bodyLimit: BODY_LIMIT,
    trustProxy: proxies.length > 0 ? proxies : false,
    // One id per request, for Fastify, the X-Request-Id answer and pino-http alike (it keeps an id it finds on the
    // raw request).
    genReqId: (req: IncomingMessage) => ((req as IncomingMessage & { id?: string }).id = requestId(req)),
    routerOptions: ROUTER_OPTIONS,
    // What Fastify refuses before routing (a path it cannot decode, a parameter over maxParamLength) never reaches
    // Nest's exception filters: a 400 in the imsx envelope too, as for any malformed request.
    frameworkErrors: (_error: unknown, _req: unknown, reply: FastifyReply) => {
      void reply
        .code(400)
        .header('Cache-Control', 'no-store')
        .send(imsxEnvelope(400, 'The request is malformed', [{ code: ErrorCode.InvalidRequest }]));
    },
    // What Node's HTTP parser refuses before there is a request at all (400, 408, 431): the imsx envelope as well.
    clientErrorHandler: answerClientError,
  });
}

/**
 * HTTP settings outside the DI pipeline, shared by main.ts, the CLI and the tests. An app that serves requests needs
 * it: it opens each request's scope (the ORM's request context, the request's log lines).
 */
export function configureApp(app: INestApplication, o: { shutdownHooks?: boolean } = {}): void {
  const fastify = app as NestFastifyApplication;
  const instance = fastify.getHttpAdapter().getInstance();
  // Before any route is added (Nest adds its own at init, Swagger's below).
  const routes = RouteMethods.track(instance, ROUTER_OPTIONS);
  const config = app.get(ConfigService<Env, true>);
  fastify.useLogger(new QuietStartupLogger(app.get(Logger)));
  // Depth is checked on the raw bytes, before parsing: deep nesting would overflow the stack of whatever walks it.
  // (No parser runs for an unknown path: answerUnknownPath answers it before its body is read.)
  fastify.useBodyParser('application/json', { bodyLimit: BODY_LIMIT }, (req, raw, done) =>
    !utf8(req, raw) ? done(notUtf8()) : parseJson(raw, done),
  );
  // Forms are OAuth 2.0's (RFC 6749 token requests); every other route takes JSON. A form elsewhere (curl -d without
  // a Content-Type) would be read field by field, and text/plain (Fastify's default parser) into a string, each
  // failing every rule of the body's DTO: both are a 415, like any type no parser reads.
  fastify.useBodyParser('application/x-www-form-urlencoded', { bodyLimit: BODY_LIMIT }, (req, raw, done) => {
    if (!FORM_ROUTES.has(req.routeOptions.url ?? '')) return refuse(req, raw, done);
    if (!utf8(req, raw)) return done(notUtf8());
    const malformed = malformedUtf8(raw);
    return malformed ? done(malformed) : done(null, parseForm(raw.toString('utf8')));
  });
  instance.removeContentTypeParser('text/plain');
  fastify.useBodyParser('text/plain', { bodyLimit: BODY_LIMIT }, refuse);
  // Every other type, and a body without one: the same 415, saying what to send (Fastify's own says only the type),
  // without reading it first; a body announced empty is no body.
  instance.addContentTypeParser('*', (req, _payload, done) =>
    req.headers['content-length'] === '0' ? done(null, {}) : done(unsupportedType(req)),
  );
  registerRequestScope(instance, app.get(MikroORM).em, app.get(APP_LOGGER));
  // Swagger UI needs inline scripts/styles; everything else gets helmet's defaults.
  registerSecurityHeaders(instance, { contentSecurityPolicy: false });
  refuseWhileClosing(instance);
  // A known path asked with another method: 405 + Allow (after helmet, so the answer carries its headers too).
  instance.addHook('onRequest', routes.refuseOtherMethods());
  instance.addHook('onRequest', refuseMalformedQuery);
  instance.addHook('onRequest', checkRequestHeaders);
  // Last: an unknown path is a 404 whatever its body, so the body is not read.
  instance.addHook('onRequest', answerUnknownPath);
  // SIGTERM and the other stop signals: stop accepting, finish in-flight requests, close the pool (the dev stack
  // handles signals itself). Others keep Node's meaning (SIGQUIT ends the process at once).
  if (o.shutdownHooks !== false) app.enableShutdownHooks([...STOP_SIGNALS]);
  // Authorize is pre-filled with the dev client only when the token endpoint is the dev issuer's.
  setupSwagger(
    app,
    config.get('AUTH_DEV_ISSUER', { infer: true }) && !config.get('AUTH_TOKEN_URL', { infer: true })
      ? config.get('AUTH_DEV_CLIENT_ID', { infer: true })
      : undefined,
  );
}

/** A body of a type the route does not read: a 415, except that an empty one is no body (a DELETE that names a type). */
function refuse(
  req: Pick<FastifyRequest, 'routeOptions'>,
  raw: Buffer,
  done: (err: Error | null, body?: unknown) => void,
): void {
  if (raw.length === 0) return done(null, {});
  done(unsupportedType(req));
}

function unsupportedType(req: Pick<FastifyRequest, 'routeOptions'>): Error {
  const types = FORM_ROUTES.has(req.routeOptions.url ?? '')
    ? 'application/x-www-form-urlencoded or application/json'
    : 'application/json';
  return new UnsupportedMediaTypeException(`Unsupported media type: send the body as ${types}`);
}

/**
 * Whether the body reads as UTF-8. JSON is UTF-8 between systems (RFC 8259 §8.1) and a charset on it has no effect
 * on a compliant reader, but a body in UTF-16, or with bytes past ASCII in another charset, would be misread: a 415
 * rather than a guess. ASCII in a charset that extends it (us-ascii, ISO-8859-1, which HTTP clients still name on
 * forms) is the same text in UTF-8. An empty body is left to what follows.
 */
function utf8(req: Pick<FastifyRequest, 'headers'>, raw: Buffer): boolean {
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset === undefined || charset === 'utf-8' || charset === 'utf8' || raw.length === 0) return true;
  return !/^(utf-?(16|32)|ucs-?[24])/.test(charset) && raw.every((byte) => byte < 0x80);
}

function notUtf8(): Error {
  return new UnsupportedMediaTypeException('Unsupported charset: send the body in UTF-8');
}

/**
 * Bytes that are not UTF-8 in a body that says it is (or says nothing): decoding would turn each into U+FFFD, so
 * different bytes would arrive as one value (a student 'a\xff' and 'a\xfe' alike). A 400, not a guess.
 */
function malformedUtf8(raw: Buffer): Error | undefined {
  return isUtf8(raw) ? undefined : new BadRequestException('The body is not well-formed UTF-8');
}

/**
 * A JSON body: empty is `{}`, only an object at the top (anything else and malformed text are a 400), nesting checked
 * before parsing.
 */
function parseJson(raw: Buffer, done: (err: Error | null, body?: unknown) => void): void {
  const malformed = malformedUtf8(raw);
  if (malformed) return done(malformed);
  if (jsonDepthExceeds(raw, MAX_JSON_DEPTH))
    return done(new BadRequestException(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`));
  // A byte order mark (Windows tools write one) is no part of the text: RFC 8259 §8.1 lets a parser ignore it.
  const text = raw.toString('utf8').replace(/^\uFEFF/, '');
  const first = /\S/.exec(text)?.[0];
  if (first === undefined) return done(null, {});
  // Every route's body is one object: an array or a scalar gets the answer the validation pipe gives an array.
  if (first !== '{') return done(AppError.invalid('body must be a JSON object', 'body'));
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    // V8's message quotes the text around the error, which may be a secret (a client_secret): its position only.
    const at = /at position (\d+)/.exec((e as Error).message)?.[1];
    return done(new BadRequestException(`The body is not valid JSON${at ? ` (at position ${at})` : ''}`));
  }
  done(null, body);
}
