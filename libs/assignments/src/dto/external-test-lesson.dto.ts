import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { GRADES } from './create-external-test.dto';

/** The 200 body of createExternalPlacementTest / createExternalTestOut (PowerPath contract). */
export class ExternalTestLessonDto {
  @ApiProperty({ enum: ['test-out', 'placement'] })
  lessonType!: 'test-out' | 'placement';

  /** The sourcedId of the created external test reference (ComponentResource) */
  lessonId!: string;

  /** The sourcedId of the component (unit) containing the test */
  courseComponentId!: string;

  /** The sourcedId of the resource representing the external test */
  resourceId!: string;

  /** The URL to the external test system */
  launchUrl?: string;

  /** The tool provider id */
  @ApiProperty({ enum: ['edulastic', 'mastery-track'] })
  toolProvider!: string;

  /** The ID of the test in the spreadsheet */
  vendorId?: string;

  /** Placements: the courseId to enroll the student in if they fail the placement test */
  @ApiPropertyOptional({ type: String, nullable: true })
  courseIdOnFail?: string | null;

  /** The grades for the resource */
  @ApiPropertyOptional({ enum: GRADES, isArray: true })
  grades?: string[];
}
