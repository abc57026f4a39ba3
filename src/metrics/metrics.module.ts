import { Global, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { VENDOR_CALL_OBSERVER } from '@external-tests/common';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/** Global so the tool clients (ProviderModule) find the observer without importing this module. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsService, { provide: VENDOR_CALL_OBSERVER, useExisting: MetricsService }],
  exports: [VENDOR_CALL_OBSERVER],
})
export class MetricsModule implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** One Fastify hook per answered request (before the server is ready, so it applies to every route). */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    fastify?.addHook('onResponse', (req, reply, done) => {
      // The matched route pattern, not the raw path: bounded label values.
      const route = req.routeOptions.url ?? 'unmatched';
      this.metrics.http.observe(
        { method: req.method, route, status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
      done();
    });
  }
}
