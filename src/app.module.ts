import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AssignmentsModule, RecoveryPointHook } from '@external-tests/assignments';
import { AuthModule } from '@external-tests/auth';
import { createValidationPipe, ImsxExceptionFilter, ResultEventsModule } from '@external-tests/common';
import { OneRosterModule } from '@external-tests/oneroster';
import { PersistenceModule } from '@external-tests/persistence';
import { ProviderModule } from '@external-tests/providers';
import { ClientThrottlerGuard, rateLimits } from './config/client-throttler.guard';
import { Env } from './config/env.schema';
import { createAppLogger, loggerModuleParams } from './config/logger-options';
import { assignmentsOptions, authOptions, persistenceOptions, providerOptions } from './config/module-options';
import { validateEnv } from './config/validate-env';
import { HealthModule } from './health/health.module';
import { APP_LOGGER } from './http/app-logger.token';
import { requestEntityManager } from './http/request-scope';
import { MetricsModule } from './metrics/metrics.module';

/**
 * Composition root. The environment is validated once, here, and each library module gets plain options;
 * the request pipeline (validation, auth, errors) is registered as APP_* providers so tests that build
 * this module run exactly what production runs.
 */
export interface AppHooks {
  logDestination?: DestinationStream;
  onQuery?: (sql: string) => void;
  /** Build the module graph without a database (OpenAPI export). */
  offline?: boolean;
  /** Called at each recovery point of the assignment flow (tests stop it there to play a crash). */
  recoveryPoint?: RecoveryPointHook;
}

@Module({})
export class AppModule {
  /**
   * @param overrides environment values that win over process.env (tests, the start command).
   * @param hooks instrumentation for tests and the benchmark: where logs go, a callback per SQL statement.
   */
  static forRoot(overrides: Record<string, string | undefined> = {}, hooks: AppHooks = {}): DynamicModule {
    const env: Env = validateEnv({ ...process.env, ...overrides });
    const logger = createAppLogger(env, hooks.logDestination);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, ignoreEnvVars: true, load: [() => ({ ...env })] }),
        LoggerModule.forRoot(loggerModuleParams(logger)),
        MetricsModule,
        PersistenceModule.forRoot({
          ...persistenceOptions(env),
          // The request scope (http/request-scope.ts, a Fastify hook opened by configureApp) holds the ORM's request
          // context.
          registerRequestContext: false,
          context: requestEntityManager,
          onQuery: hooks.onQuery,
          ...(hooks.offline ? { connect: false, migrate: false } : {}),
        }),
        ResultEventsModule,
        AuthModule.forRoot({ ...authOptions(env), afterAuthentication: ClientThrottlerGuard }),
        AssignmentsModule.forRoot({
          ...assignmentsOptions(env),
          recoveryPoint: hooks.recoveryPoint,
          imports: [ProviderModule.forRoot(providerOptions(env))],
        }),
        OneRosterModule.forRoot({ publicBaseUrl: env.PUBLIC_BASE_URL }),
        ThrottlerModule.forRoot(rateLimits(env)),
        HealthModule,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: ImsxExceptionFilter },
        { provide: APP_LOGGER, useValue: logger },
      ],
    };
  }
}
