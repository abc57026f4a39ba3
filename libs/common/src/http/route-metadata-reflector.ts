import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

/** A handler or a controller, as Reflector takes them. */
type Target = Parameters<Reflector['get']>[1];

/**
 * Nest's Reflector, remembering what `getAllAndOverride` found for a route (its handler and controller): the global
 * guards read about ten keys per request (authentication, the rate limiter's per-throttler overrides, scopes), and
 * each read walks both targets' prototype chains in reflect-metadata. A route's decorators run when its class is
 * defined, so what they set does not change once the app serves; metadata defined on a route later is not seen.
 */
@Injectable()
export class RouteMetadataReflector extends Reflector {
  /** handler → controller → key → value (one handler may serve several controllers that inherit it). */
  private readonly routes = new WeakMap<Target, WeakMap<Target, Map<unknown, unknown>>>();

  override getAllAndOverride<TResult = unknown>(key: unknown, targets: Target[]): TResult {
    if (targets.length !== 2) return super.getAllAndOverride<TResult>(key, targets);
    const [handler, controller] = targets;
    let controllers = this.routes.get(handler);
    if (!controllers) this.routes.set(handler, (controllers = new WeakMap()));
    let values = controllers.get(controller);
    if (!values) controllers.set(controller, (values = new Map()));
    if (values.has(key)) return values.get(key) as TResult;
    const value = super.getAllAndOverride<TResult>(key, targets);
    values.set(key, value);
    return value;
  }
}
