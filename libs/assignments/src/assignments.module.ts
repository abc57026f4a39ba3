import { DynamicModule, Module, Provider } from '@nestjs/common';
import { AssignmentService } from './assignment.service';
import { AssignmentsController } from './assignments.controller';
import { ASSIGNMENTS_OPTIONS, AssignmentsOptions } from './assignments-options';
import { AttemptsService } from './attempts/attempts.service';
import { IdempotencyReaper } from './idempotency/idempotency-reaper';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { ReplayAuthorization } from './idempotency/replay-authorization';
import { ResultsController } from './results.controller';
import { FinalizationService } from './results/finalization.service';
import { ResultImportService } from './results/result-import.service';

export interface AssignmentsModuleAsyncOptions {
  imports?: DynamicModule['imports'];
  inject?: unknown[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  useFactory: (...args: any[]) => AssignmentsOptions | Promise<AssignmentsOptions>;
}

/**
 * The PowerPath external-test endpoints: assignment, result import, attempts, progress. Needs ProviderRegistry
 * (ProviderModule), MikroORM (PersistenceModule) and ResultEvents (ResultEventsModule) from the importing application.
 */
@Module({})
export class AssignmentsModule {
  static forRoot(options: AssignmentsOptions & { imports?: DynamicModule['imports'] }): DynamicModule {
    return this.build({ provide: ASSIGNMENTS_OPTIONS, useValue: options }, options.imports);
  }

  static forRootAsync(options: AssignmentsModuleAsyncOptions): DynamicModule {
    return this.build(
      { provide: ASSIGNMENTS_OPTIONS, useFactory: options.useFactory, inject: (options.inject ?? []) as never[] },
      options.imports,
    );
  }

  private static build(optionsProvider: Provider, imports: DynamicModule['imports'] = []): DynamicModule {
    return {
      module: AssignmentsModule,
      imports,
      controllers: [AssignmentsController, ResultsController],
      providers: [
        optionsProvider,
        AssignmentService,
        FinalizationService,
        ResultImportService,
        AttemptsService,
        IdempotencyInterceptor,
        ReplayAuthorization,
        IdempotencyReaper,
      ],
      exports: [AssignmentService, FinalizationService, ResultImportService, AttemptsService, IdempotencyReaper],
    };
  }
}
