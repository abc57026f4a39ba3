import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { canonicalGrade, MAX_SOURCED_ID_LENGTH } from '@external-tests/common';

/** Applies `f` to a string; anything else is left for the validators to refuse. */
const ifString =
  (f: (s: string) => string) =>
  ({ value }: { value: unknown }) =>
    typeof value === 'string' ? f(value) : value;

/** EduBridge subject track upsert body. */
export class PutSubjectTrackDto {
  /** Compared without case; stored trimmed (finalization compares the lesson's, trimmed) @example "Math" */
  @Transform(ifString((s) => s.trim()))
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  subject!: string;

  /** Stored as finalization looks it up, as PowerPath numbers grades: trimmed, no leading zeros (`05` is `5`), `KG` as `0`, `PK` as `-1` @example "4" */
  @Transform(ifString(canonicalGrade))
  @IsString()
  @IsNotEmpty()
  @MaxLength(20)
  grade!: string;

  /**
   * The course students of this subject and grade are enrolled in
   * @example "course-math-4"
   */
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_SOURCED_ID_LENGTH)
  courseId!: string;

  /** Restrict the track to one org; omitted = the global track. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_SOURCED_ID_LENGTH)
  orgSourcedId?: string;
}

export class SubjectTrackDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  subject!: string;
  grade!: string;
  courseId!: string;
  @ApiProperty({ type: String, nullable: true })
  orgSourcedId!: string | null;
  dateLastModified!: string;
}
