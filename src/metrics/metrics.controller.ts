import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@external-tests/auth';
import { MetricsService } from './metrics.service';
import { NoRateLimit } from '../config/client-throttler.guard';

/** Prometheus scrape endpoint. Unauthenticated like /health: keep it off the public ingress. */
@ApiExcludeController()
@Public()
@NoRateLimit()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
