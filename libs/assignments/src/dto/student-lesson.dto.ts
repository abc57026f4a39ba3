import { Transform } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_SOURCED_ID_LENGTH } from '@external-tests/common';

/** The largest attempt number: attempts are PostgreSQL `integer`s. */
const MAX_ATTEMPT = 2 ** 31 - 1;

/** `student` + `lesson`, in a body or a query string. */
export class StudentLessonDto {
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
   * @example "lesson-mt-placement"
   */
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_SOURCED_ID_LENGTH)
  lesson!: string;
}

export class ImportResultsQueryDto extends StudentLessonDto {
  /** The name of the application */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  applicationName?: string;
}

export class ProgressQueryDto extends StudentLessonDto {
  /** The attempt number (default: the latest) */
  // Decimal digits only: `0x10` or `1e1` stay strings and fail @IsInt (400), instead of being read as numbers; a
  // negative one is a number, so its 400 says it is below 1, and a long one says it is above the largest attempt
  // number PostgreSQL's integer column holds.
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^-?\d{1,300}$/.test(value) ? Number(value) : value,
  )
  @IsInt()
  @Min(1)
  @Max(MAX_ATTEMPT)
  attempt?: number;
}
