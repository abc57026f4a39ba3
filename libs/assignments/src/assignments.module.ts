import { Module } from '@nestjs/common';
import { AssignmentReconciler } from './assignment-reconciler';
import { AssignmentService } from './assignment.service';
import { AssignmentsController } from './assignments.controller';
import { ConfigurableAssignmentsModule } from './assignments.module-definition';
import { AttemptsService } from './attempts/attempts.service';
import { IdempotencyReaper } from './idempotency/idempotency-reaper';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { ReplayAuthorization } from './idempotency/replay-authorization';
import { ResultsController } from './results.controller';
import { FinalizationService } from './results/finalization.service';
import { ResultImportService } from './results/result-import.service';
import { LessonResolver } from './lesson-resolver';

/**
 * The PowerPath external-test endpoints: assignment, result import, attempts, progress. Needs ProviderRegistry
 * (ProviderModule), the repositories (PersistenceModule) and ResultEvents (ResultEventsModule) from the importing application.
 */
@Module({
  controllers: [AssignmentsController, ResultsController],
  providers: [
    LessonResolver,
    AssignmentService,
    AssignmentReconciler,
    FinalizationService,
    ResultImportService,
    AttemptsService,
    IdempotencyInterceptor,
    ReplayAuthorization,
    IdempotencyReaper,
  ],
  exports: [AssignmentService, AssignmentReconciler, FinalizationService, ResultImportService, AttemptsService, IdempotencyReaper],
})
export class AssignmentsModule extends ConfigurableAssignmentsModule {}
