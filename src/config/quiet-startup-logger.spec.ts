import type { LoggerService } from '@nestjs/common';
import { QuietStartupLogger } from './quiet-startup-logger';

describe('QuietStartupLogger', () => {
  const calls: [string, unknown[]][] = [];
  const record =
    (level: string) =>
    (message: unknown, ...params: unknown[]) =>
      calls.push([level, [message, ...params]]);
  const inner: LoggerService = {
    log: record('log'),
    error: record('error'),
    warn: record('warn'),
    debug: record('debug'),
    verbose: record('verbose'),
    fatal: record('fatal'),
  };
  const logger = new QuietStartupLogger(inner);
  beforeEach(() => (calls.length = 0));

  it("lowers Nest's route mapping and module wiring lines to debug", () => {
    logger.log('Mapped {/metrics, GET} route', 'RouterExplorer');
    logger.log('MetricsController {/metrics}:', 'RoutesResolver');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    expect(calls.map(([level]) => level)).toEqual(['debug', 'debug', 'debug']);
    expect(calls[0][1]).toEqual(['Mapped {/metrics, GET} route', 'RouterExplorer']);
  });

  it('passes every other line, and warnings and errors from the same contexts, unchanged', () => {
    logger.log('Applied 7 migration(s)', 'MigrationRunner');
    logger.log('no context');
    logger.warn('Duplicate route', 'RouterExplorer');
    logger.error('boom', 'stack', 'NestApplication');
    logger.fatal('down', 'NestFactory');
    expect(calls.map(([level]) => level)).toEqual(['log', 'log', 'warn', 'error', 'fatal']);
  });
});
