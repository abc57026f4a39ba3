import { Module } from '@nestjs/common';
import { AssignmentReconciler } from './assignment-reconciler';
import { AssignmentService } from './assignment.service';
import { AssignmentsController } from './assignments.controller';
import { ConfigurableAssignmentsModule } from './assignments.module-definition';
import { ExternalTestAuthoringService } from './authoring/external-test-authoring.service';
import { TestOutService } from './authoring/test-out.service';
import { ExternalTestsController } from './external-tests.controller';
import { AttemptsService } from './attempts/attempts.service';
import { IdempotencyReaper } from './idempotency/idempotency-reaper';
import { IdempotentExecution } from './idempotency/idempotent-execution';
import { IdempotencyStore } from './idempotency/idempotency.store';
import { ReplayAuthorization } from './idempotency/replay-authorization';
import { ResultsController } from './results.controller';
import { FinalizationService } from './results/finalization.service';
import { ResultImportService } from './results/result-import.service';
import { LessonResolver } from './lesson-resolver';

/**
 * The PowerPath external-test endpoints: assignment, result import, attempts, progress, authoring (test-out and
 * placement lessons, testOut). Needs ProviderRegistry (ProviderModule), the repositories (PersistenceModule) and
 * ResultEvents (ResultEventsModule) from the importing application.
 */
@Module({
  controllers: [AssignmentsController, ResultsController, ExternalTestsController],
  providers: [
    LessonResolver,
    AssignmentService,
    AssignmentReconciler,
    FinalizationService,
    ResultImportService,
    AttemptsService,
    IdempotencyStore,
    IdempotentExecution,
    ReplayAuthorization,
    IdempotencyReaper,
    ExternalTestAuthoringService,
    TestOutService,
  ],
  exports: [
    AssignmentService,
    AssignmentReconciler,
    FinalizationService,
    ResultImportService,
    AttemptsService,
    IdempotencyReaper,
    ExternalTestAuthoringService,
  ],
})
export class AssignmentsModule extends ConfigurableAssignmentsModule {}
