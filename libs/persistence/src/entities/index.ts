import { AssessmentLineItem } from './assessment-line-item.entity';
import { AssessmentResult } from './assessment-result.entity';
import { ComponentResource } from './component-resource.entity';
import { Course } from './course.entity';
import { CourseComponent } from './course-component.entity';
import { Enrollment } from './enrollment.entity';
import { Org } from './org.entity';
import { Resource } from './resource.entity';
import { SchoolClass } from './school-class.entity';
import { SubjectTrack } from './subject-track.entity';
import { ToolClass } from './tool-class.entity';
import { ToolLogin } from './tool-login.entity';
import { ToolAssignment } from './tool-assignment.entity';
import { LessonLineItem } from './lesson-line-item.entity';
import { ToolSeat } from './tool-seat.entity';
import { User } from './user.entity';
import { OneRosterBase } from './one-roster-base.entity';
import { IdempotencyKey } from './idempotency-key.entity';
import { ExternalTestLesson } from './external-test-lesson.entity';

export * from './one-roster-base.entity';
export * from './assessment-line-item.entity';
export * from './assessment-result.entity';
export * from './component-resource.entity';
export * from './course.entity';
export * from './course-component.entity';
export * from './enrollment.entity';
export * from './org.entity';
export * from './resource.entity';
export * from './school-class.entity';
export * from './subject-track.entity';
export * from './tool-class.entity';
export * from './tool-login.entity';
export * from './tool-assignment.entity';
export * from './lesson-line-item.entity';
export * from './tool-seat.entity';
export * from './user.entity';
export * from './idempotency-key.entity';
export * from './external-test-lesson.entity';

export const ENTITIES = [
  OneRosterBase,
  Org,
  User,
  Course,
  SchoolClass,
  Enrollment,
  CourseComponent,
  Resource,
  ComponentResource,
  AssessmentLineItem,
  AssessmentResult,
  SubjectTrack,
  ToolClass,
  ToolLogin,
  ToolAssignment,
  LessonLineItem,
  ToolSeat,
  IdempotencyKey,
  ExternalTestLesson,
];
