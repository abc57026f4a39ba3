import { IsBoolean, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { MAX_SOURCED_ID_LENGTH } from '@external-tests/common';

export class MakeExternalTestAssignmentDto {
  /**
   * The sourcedId of the student
   * @example "student-mt-1"
   */
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_SOURCED_ID_LENGTH)
  student!: string;

  /**
   * The sourcedId of the lesson (ComponentResource)
   * @example "lesson-mt-test-out"
   */
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_SOURCED_ID_LENGTH)
  lesson!: string;

  /** The name of the application to use for authenticating on the external tool */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  applicationName?: string;

  /** The specific test ID to assign for MasteryTrack tool provider. If provided, overrides subject+grade selection. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  testId?: string;

  /** When true, skips automatic course enrollment after test completion. Only applies to the current attempt. */
  @IsOptional()
  @IsBoolean()
  skipCourseEnrollment?: boolean;
}
