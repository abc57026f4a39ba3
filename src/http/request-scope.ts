import { EntityManager, RequestContext } from '@mikro-orm/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
// nestjs-pino's own request store (what its middleware binds); it has no public way to bind one from a Fastify hook.
import { storage, Store } from 'nestjs-pino/storage';
import type { Level, Logger } from 'pino';
import { answeredError } from '@external-tests/common';

/** What a log line says about the request it was written in (the logger's `req` serializer shapes it). */
export interface RequestFacts {
  id: string;
  method: string;
  url: string;
}

class RequestStore extends Store {
  #em?: EntityManager;
  #forking = false;

  constructor(
    logger: Logger,
    readonly req: RequestFacts,
    private readonly root: EntityManager,
  ) {
    super(logger);
  }

  /**
   * The request's fork of the ORM, made the first time the request needs one (as RequestContext.create forks). None
   * while it is being made: MikroORM's constructors ask for the current context, which would be this one again.
   */
  get em(): EntityManager | undefined {
    if (this.#em === undefined && !this.#forking) {
      this.#forking = true;
      try {
        this.#em = this.root.fork({ useContext: true, disableContextResolution: true });
      } finally {
        this.#forking = false;
      }
    }
    return this.#em;
  }
}

/**
 * The ORM's `context` (PersistenceOptions.context): the request's EntityManager, forked on first use; outside a
 * request, MikroORM's own RequestContext (the CLI commands open one).
 */
export function requestEntityManager(name: string): EntityManager | undefined {
  const store = storage.getStore();
  return store instanceof RequestStore ? store.em : RequestContext.getEntityManager(name);
}

/** The request being served, if any (the logger's mixin adds it to every line). */
export function currentRequest(): RequestFacts | undefined {
  const store = storage.getStore();
  return store instanceof RequestStore ? store.req : undefined;
}

const facts = (req: FastifyRequest): RequestFacts => ({ id: req.id, method: req.method, url: req.url });

/**
 * Per request, as Fastify hooks rather than Nest middleware (with none, Fastify does without middie; BENCHMARKS.md):
 * - the X-Request-Id answer header (the id the platform gave the request, configure-app.ts);
 * - the request's scope, opened as it arrives, so body parsing, guards, pipes, handlers and filters all run inside
 *   it: nestjs-pino's logger store, which also holds the request's ORM context (`requestEntityManager`, a fork of
 *   `em` made only when the request first uses the ORM; runPrepared's statements outside a transaction need none);
 * - one line per answered request (the health probes excepted): method, path, status, time; `warn` for 4xx, `error`
 *   for 5xx, with the error's code when the imsx filter answered it (not its description, which may quote the body);
 *   and `warn` for one the client gave up on before its answer was sent (onResponse never runs for it).
 */
export function registerRequestScope(fastify: FastifyInstance, em: EntityManager, logger: Logger): void {
  const logsAborts = logger.isLevelEnabled('warn');
  fastify.addHook('onRequest', (req, reply, done) => {
    reply.header('X-Request-Id', req.id);
    if (logsAborts)
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) logger.warn({ req: facts(req) }, 'request aborted by the client');
      });
    storage.run(new RequestStore(logger, facts(req), em), done);
  });
  fastify.addHook('onResponse', (req, reply, done) => {
    const status = reply.statusCode;
    const level: Level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    if (logger.isLevelEnabled(level) && !req.url.startsWith('/health')) {
      const error = status >= 400 ? answeredError(req) : undefined;
      logger[level](
        {
          req: facts(req),
          res: { statusCode: status },
          responseTime: Math.round(reply.elapsedTime),
          ...(error && { error }),
        },
        status >= 500 ? 'request errored' : 'request completed',
      );
    }
    done();
  });
}
