import { AttemptLedgerRepository } from './attempt-ledger.repository';
import { AttemptResultsRepository } from './attempt-results.repository';
import { CourseEnrollmentRepository } from './course-enrollment.repository';
import { CourseTestLessonsRepository } from './course-test-lessons.repository';
import { LessonContextRepository } from './lesson-context.repository';
import { ToolClassRepository } from './tool-class.repository';
import { ToolLoginRepository } from './tool-login.repository';

export * from './attempt-record';
export * from './tool-object-rows';
export * from './attempt-ledger.repository';
export * from './attempt-results.repository';
export * from './course-enrollment.repository';
export * from './course-test-lessons.repository';
export * from './lesson-context.repository';
export * from './tool-class.repository';
export * from './tool-login.repository';

/** Every repository PersistenceModule provides (and exports to the whole application). */
export const REPOSITORIES = [
  LessonContextRepository,
  AttemptLedgerRepository,
  AttemptResultsRepository,
  ToolClassRepository,
  ToolLoginRepository,
  CourseEnrollmentRepository,
  CourseTestLessonsRepository,
];
