import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { MAX_SOURCED_ID_LENGTH } from '@external-tests/common';
import { ASSIGNMENT_TOOL_FIELDS, ExternalTestAssignmentDto } from './external-test-assignment.dto';
import { CLOSED_DESCRIPTION } from './results.dto';

export class TestOutQueryDto {
  /**
   * The sourcedId of the student to retrieve the testOut for
   * @example "student-mt-1"
   */
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_SOURCED_ID_LENGTH)
  student!: string;

  /**
   * The sourcedId of the Course to retrieve the testOut from
   * @example "course-math-5"
   */
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_SOURCED_ID_LENGTH)
  course!: string;
}

/** testOut 200 body (TestOutResult): the course's test-out lesson and, once assigned, the student's attempt on it. */
export class TestOutDto extends PickType(ExternalTestAssignmentDto, ASSIGNMENT_TOOL_FIELDS) {
  @ApiProperty({ enum: ['test-out'] })
  lessonType!: 'test-out';

  /** The id of the testOut lesson (null when the course has none) */
  @ApiProperty({ type: String, nullable: true })
  lessonId!: string | null;

  /** Whether the Test Out has been finalized in the current attempt */
  finalized!: boolean;

  @ApiPropertyOptional({ type: Boolean, description: CLOSED_DESCRIPTION })
  closed?: boolean;

  /** The tool provider for the testOut lesson */
  @ApiProperty({ type: String, nullable: true })
  toolProvider!: string | null;

  /** The attempt number (the one a first assignment would make, before any) */
  @ApiProperty({ type: 'number', required: false })
  attempt?: number;
}
