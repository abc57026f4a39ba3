import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { ASSIGNMENT_TOOL_FIELDS, ExternalTestAssignmentDto } from './external-test-assignment.dto';

/** The `closed` field of the import, progress and testOut answers (one text for all). */
export const CLOSED_DESCRIPTION =
  'Extension (not in PowerPath): present, and true, when the attempt is closed: its tool graded a submission that ' +
  'can never be final (Edulastic: a question left skipped). It is over: a new attempt may start (only a regrade at the ' +
  'tool that answers every question would still finalize it). getAssessmentProgress and testOut also say it of a void attempt ' +
  '(its result was deleted): the next assignment starts a new one.';

const SCORE_STATUSES = ['exempt', 'fully graded', 'not submitted', 'partially graded', 'submitted'];

/** importExternalTestAssignmentResults 200 body (PowerPath contract): the assignment's tool fields plus its state. */
export class ImportResultsDto extends PickType(ExternalTestAssignmentDto, ASSIGNMENT_TOOL_FIELDS) {
  @ApiProperty({ enum: ['test-out', 'placement', 'unit-test'] })
  lessonType!: string;
  @ApiProperty({ type: String, nullable: true })
  lessonId!: string | null;
  @ApiProperty({ type: String, nullable: true })
  toolProvider!: string | null;
  /** Whether the Test has been finalized in the current attempt */
  finalized!: boolean;
  @ApiPropertyOptional({ type: Boolean, description: CLOSED_DESCRIPTION })
  closed?: boolean;
  @ApiProperty({ type: 'number' })
  attempt!: number;
}

export class AttemptDto {
  @ApiProperty({ type: 'number', nullable: true })
  attempt!: number | null;
  @ApiProperty({ type: 'number' })
  score!: number;
  @ApiProperty({ enum: SCORE_STATUSES })
  scoreStatus!: string;
  @ApiProperty({ type: 'number', nullable: true })
  xp!: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt!: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      "When the student finished a finalized or closed attempt, by the tool's date (MasteryTrack's scoreDate, " +
      "Edulastic's submission), not when we learned it; null while it is open.",
  })
  completedAt!: string | null;
}

export class AttemptsDto {
  @ApiProperty({ type: [AttemptDto] })
  attempts!: AttemptDto[];
}

export class NewAttemptDto {
  @ApiProperty({ type: AttemptDto })
  attempt!: AttemptDto;
}

export class ResetAttemptDto {
  success!: boolean;
  /** The reset score (always 0) */
  @ApiProperty({ type: 'number', example: 0 })
  score!: number;
}

/** getAssessmentProgress for an external test lesson. */
export class AssessmentProgressDto {
  @ApiProperty({ enum: ['quiz', 'test-out', 'placement', 'unit-test'] })
  lessonType!: string;
  finalized!: boolean;
  @ApiPropertyOptional({ type: 'number' })
  score?: number;
  @ApiProperty({ type: 'array', items: { type: 'object' } })
  questions!: unknown[];
  @ApiProperty({ type: String, nullable: true })
  toolProvider!: string | null;
  /** Only present for finalized external tests */
  enrollmentFailed?: boolean;
  @ApiPropertyOptional({ type: Boolean, description: CLOSED_DESCRIPTION })
  closed?: boolean;
  @ApiProperty({ type: 'number' })
  attempt!: number;
  @ApiProperty({ type: 'number', nullable: true })
  xp!: number | null;
  @ApiProperty({ type: 'number', nullable: true })
  multiplier!: number | null;
  @ApiProperty({ type: 'number' })
  accuracy!: number;
  @ApiProperty({ type: 'number' })
  correctQuestions!: number;
  @ApiProperty({ type: 'number' })
  totalQuestions!: number;
}
