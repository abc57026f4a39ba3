import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class TestCredentialsDto {
  /** @example "ada.student@example.org" */
  @ApiProperty({ format: 'email' })
  email!: string;

  /** @example "q3Jk2nV8xYb0pL5sT9wZcA" */
  password!: string;
}

/** The 200 body of makeExternalTestAssignment, exactly as the PowerPath contract defines it. */
export class ExternalTestAssignmentDto {
  @ApiProperty({ enum: ['edulastic', 'mastery-track'] })
  toolProvider!: 'edulastic' | 'mastery-track';

  @ApiProperty({ enum: ['test-out', 'placement', 'unit-test'] })
  lessonType!: 'test-out' | 'placement' | 'unit-test';

  /** The attempt number */
  @ApiProperty({ type: 'number', example: 1 })
  attempt!: number;

  /** The credentials for accessing the assigned test on external tool */
  @ApiPropertyOptional({ type: TestCredentialsDto })
  credentials?: TestCredentialsDto;

  /** The id of the assignment on external tool for results retrieval */
  assignmentId?: string;

  /** The id of the class on external tool for results retrieval (may be empty for some tools) */
  classId?: string;

  /** The URL of the test on external tool */
  @ApiPropertyOptional({ format: 'uri' })
  testUrl?: string;

  /** The id of the test on external tool (may be assignment ID for some tools) */
  testId?: string;
}

/** The assignment's tool fields, as the import and testOut answers repeat them. */
export const ASSIGNMENT_TOOL_FIELDS = ['credentials', 'assignmentId', 'classId', 'testUrl', 'testId'] as const;
