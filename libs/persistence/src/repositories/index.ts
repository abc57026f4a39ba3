import { AttemptLedgerRepository } from './attempt-ledger.repository';
import { AttemptResultsRepository } from './attempt-results.repository';
import { CourseEnrollmentRepository } from './course-enrollment.repository';
import { CourseTestLessonsRepository } from './course-test-lessons.repository';
import { IdempotencyKeyRepository } from './idempotency-key.repository';
import { LessonContextRepository } from './lesson-context.repository';
import { SubjectTrackRepository } from './subject-track.repository';
import { ToolClassRepository } from './tool-class.repository';
import { ToolLoginRepository } from './tool-login.repository';

export * from './attempt-record';
export * from './tool-object-rows';
export * from './attempt-ledger.repository';
export * from './attempt-results.repository';
export * from './course-enrollment.repository';
export * from './course-test-lessons.repository';
export * from './idempotency-key.repository';
export * from './lesson-context.repository';
export * from './subject-track.repository';
export * from './tool-class.repository';
export * from './tool-login.repository';
export * from './tool-user-held';

/** Every repository PersistenceModule provides (and exports to the whole application). */
export const REPOSITORIES = [
  LessonContextRepository,
  AttemptLedgerRepository,
  AttemptResultsRepository,
  ToolClassRepository,
  ToolLoginRepository,
  CourseEnrollmentRepository,
  CourseTestLessonsRepository,
  IdempotencyKeyRepository,
  SubjectTrackRepository,
];
