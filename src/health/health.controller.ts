import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, MikroOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '@external-tests/auth';
import { NoRateLimit } from '../config/client-throttler.guard';

@ApiTags('Health')
@Public()
@NoRateLimit()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: MikroOrmHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({ operationId: 'getReadiness', summary: 'Check readiness (the database answers)' })
  check() {
    return this.health.check([() => this.db.pingCheck('database', { timeout: 2_000 })]);
  }

  @Get('live')
  @ApiOperation({ operationId: 'getLiveness', summary: 'Check liveness (the process serves HTTP, no I/O)' })
  live() {
    return { status: 'ok' };
  }
}
