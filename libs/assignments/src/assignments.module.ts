import { DynamicModule, Module, Provider } from '@nestjs/common';
import { AssignmentReconciler } from './assignment-reconciler';
import { AssignmentService } from './assignment.service';
import { AssignmentsController } from './assignments.controller';
import { ExternalTestAuthoringService } from './authoring/external-test-authoring.service';
import { TestOutService } from './authoring/test-out.service';
import { ExternalTestsController } from './external-tests.controller';
import { ASSIGNMENTS_OPTIONS, AssignmentsOptions } from './assignments-options';
import { AttemptsService } from './attempts/attempts.service';
import { IdempotencyReaper } from './idempotency/idempotency-reaper';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { ResultsController } from './results.controller';
import { FinalizationService } from './results/finalization.service';
import { ResultImportService } from './results/result-import.service';
import { LessonResolver } from './lesson-resolver';

export interface AssignmentsModuleAsyncOptions {
  imports?: DynamicModule['imports'];
  inject?: unknown[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  useFactory: (...args: any[]) => AssignmentsOptions | Promise<AssignmentsOptions>;
}

/**
 * The PowerPath external-test endpoints: assignment, result import, attempts, progress, authoring (test-out and
 * placement lessons, testOut). Needs ProviderRegistry (ProviderModule), the repositories (PersistenceModule) and
 * ResultEvents (ResultEventsModule) from the importing application.
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
      controllers: [AssignmentsController, ResultsController, ExternalTestsController],
      providers: [
        optionsProvider,
        LessonResolver,
        AssignmentService,
        AssignmentReconciler,
        FinalizationService,
        ResultImportService,
        AttemptsService,
        IdempotencyInterceptor,
        IdempotencyReaper,
        ExternalTestAuthoringService,
        TestOutService,
      ],
      exports: [AssignmentService, AssignmentReconciler, FinalizationService, ResultImportService, AttemptsService, IdempotencyReaper, ExternalTestAuthoringService],
    };
  }
}
