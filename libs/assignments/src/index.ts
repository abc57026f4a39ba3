export * from './assignments-options';
export * from './assignments.module';
export {
  ASSIGNMENTS_OPTIONS,
  ASSIGNMENTS_MODULE_OPTIONS,
  ASSIGNMENTS_MODULE_ASYNC_OPTIONS,
} from './assignments.module-definition';
export * from './assignment.service';
export * from './assignment-reconciler';
export * from './ledger/recovery-points';
export * from './dto/make-external-test-assignment.dto';
export * from './dto/external-test-assignment.dto';
export * from './results/finalization.service';
export * from './results/result-import.service';
export * from './attempts/attempts.service';
export * from './dto/results.dto';
export * from './dto/student-lesson.dto';
export * from './idempotency/idempotency-reaper';
export * from './authoring/external-test-authoring.service';
export * from './dto/create-external-test.dto';
export * from './dto/external-test-lesson.dto';
