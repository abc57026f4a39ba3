import { Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
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
export class MetricsModule implements NestModule {
  constructor(private readonly metrics: MetricsService) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply((req: Request, res: Response, next: NextFunction) => {
        const stop = this.metrics.http.startTimer({ method: req.method });
        // The matched route pattern, not the raw path: bounded label values.
        res.on('finish', () => {
          const route = (req.route as { path?: string } | undefined)?.path; // set by the router, known once answered
          stop({ route: route ? `${req.baseUrl}${route}` : 'unmatched', status: String(res.statusCode) });
        });
        next();
      })
      .forRoutes('{*path}');
  }
}
