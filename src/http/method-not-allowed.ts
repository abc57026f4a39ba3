import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay, { Config, HTTPMethod } from 'find-my-way';
import { ErrorCode, imsxEnvelope } from '@external-tests/common';

/**
 * Fastify finds a route by method and path together, so a known path asked with a method it does not serve (a GET
 * of the POST-only assignment endpoint) would be a 404 saying the resource does not exist. It is a 405 naming the
 * methods the path serves (RFC 9110 §15.5.6). The paths live in a second router with Fastify's routing options,
 * asked only for requests Fastify found no route for.
 */
export class RouteMethods {
  private readonly router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>;
  private readonly methods = new Set<HTTPMethod>();

  private constructor(options: Config<FindMyWay.HTTPVersion.V1>) {
    this.router = FindMyWay(options);
  }

  /** Records every route `instance` registers from now on: call it before any route is added. */
  static track(instance: FastifyInstance, options: Config<FindMyWay.HTTPVersion.V1>): RouteMethods {
    const routes = new RouteMethods(options);
    instance.addHook('onRoute', (route) => {
      for (const method of [route.method].flat() as HTTPMethod[]) {
        routes.methods.add(method);
        try {
          routes.router.on(method, route.url, { constraints: route.constraints ?? {} }, () => undefined);
        } catch {
          // Declared already (a HEAD Fastify adds beside an explicit one): the path is known for the method.
        }
      }
    });
    return routes;
  }

  /** The methods the path of `url` serves. */
  allowed(url: string): HTTPMethod[] {
    const path = url.split(/[?#]/, 1)[0];
    return [...this.methods].filter((m) => this.router.find(m, path) !== null);
  }

  /**
   * An onRequest hook answering 405 with `Allow` where Fastify found no route but the path has one. Add it after the
   * hooks every answer needs (security headers), which run in the order they were added.
   */
  refuseOtherMethods() {
    return (req: FastifyRequest, reply: FastifyReply, done: () => void): void => {
      const allow = req.is404 ? this.allowed(req.url) : [];
      // (a method this router finds but Fastify's did not, say by a constraint: Fastify's 404 stands)
      if (allow.length === 0 || allow.includes(req.method as HTTPMethod)) return done();
      void reply
        .code(405)
        .header('Allow', allow.join(', '))
        .send(
          imsxEnvelope(405, `${req.method} is not served here; this path serves ${allow.join(', ')}`, [
            { code: ErrorCode.InvalidRequest },
          ]),
        );
    };
  }
}
