import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { MAX_SOURCED_ID_LENGTH } from '@external-tests/common';

/** EduBridge subject track upsert body. */
export class PutSubjectTrackDto {
  /** @example "Math" */
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  subject!: string;

  /** @example "4" */
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
