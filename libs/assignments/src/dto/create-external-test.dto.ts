import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  Equals,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  maxLength,
  MaxLength,
  ValidateBy,
  ValidateIf,
  ValidationArguments,
} from 'class-validator';
import { MAX_SOURCED_ID_LENGTH } from '@external-tests/common';
import { TOOL_PROVIDER_NAMES } from '@external-tests/providers';

/** The contract's GradeEnum: -1 is Pre-K, 0 Kindergarten, 1–12 the grades, 13 AP. */
export const GRADES = ['-1', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13'] as const;

export const AUTHORED_LESSON_TYPES = ['test-out', 'placement'] as const;
export type AuthoredLessonType = (typeof AUTHORED_LESSON_TYPES)[number];

/** A member only the placement input declares: in a test-out body it is an unknown field (400 naming it). */
const PlacementOnly = () =>
  ValidateBy({
    name: 'placementOnly',
    validator: {
      validate: (_: unknown, args?: ValidationArguments) =>
        (args?.object as { lessonType?: unknown }).lessonType === 'placement',
      defaultMessage: (args?: ValidationArguments) => `property ${args?.property} should not exist`,
    },
  });

/** A course sourcedId or null. */
const IsIdOrNull = () =>
  ValidateBy({
    name: 'isIdOrNull',
    validator: {
      validate: (v: unknown) =>
        v === null || (typeof v === 'string' && v.trim().length > 0 && maxLength(v, MAX_SOURCED_ID_LENGTH)),
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property} must be a non-empty string (at most ${MAX_SOURCED_ID_LENGTH} characters) or null`,
    },
  });

/**
 * Either input of createExternalPlacementTest / createExternalTestOut (the contract's oneOf, told apart by
 * `lessonType`). This is the class the request is validated against; the two classes below document each shape.
 */
export class CreateExternalTestInputDto {
  /**
   * The sourcedId of the Course to create the external test for
   * @example "course-math-5"
   */
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_SOURCED_ID_LENGTH)
  courseId!: string;

  /** The title of the external test reference (default: the course title and the lesson type) */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  lessonTitle?: string;

  /**
   * The URL to the external test system (e.g., Edulastic, QTI, etc.): an absolute http or https URL, without a user
   * or password.
   * @example "https://app.edulastic.com/assessment/65a1f0c2e4b0a1b2c3d4e501"
   */
  // Pages link it: a `javascript:` or `data:` URL would run there, and a user:password@ in it would show students a
  // password.
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsUrl(
    {
      protocols: ['http', 'https'],
      require_protocol: true,
      require_tld: false,
      allow_underscores: true,
      disallow_auth: true,
    },
    { message: 'launchUrl must be an absolute http or https URL, without a user or password' },
  )
  launchUrl?: string;

  /** The type of external service (e.g.: 'edulastic') */
  @ApiProperty({ enum: TOOL_PROVIDER_NAMES })
  @IsIn(TOOL_PROVIDER_NAMES)
  toolProvider!: 'edulastic' | 'mastery-track';

  /** The title of the unit containing the external test (default: the lesson title) */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  unitTitle?: string;

  /**
   * The sourcedId of an existing CourseComponent (unit) of the course for the test. If not provided, a new unit
   * will be created (or, on an update, the lesson stays in its unit).
   */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_SOURCED_ID_LENGTH)
  courseComponentSourcedId?: string;

  /** The ID of the test in the spreadsheet (Edulastic: the test id; required for Edulastic lessons) */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  vendorId?: string;

  /** Description of the external test that will be added to the Resource entity's metadata */
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  description?: string;

  /** Additional metadata for the external test resource (the contract allows only null) */
  @ApiPropertyOptional({ type: 'null' })
  @IsOptional()
  @Equals(null, { message: 'resourceMetadata must be null' })
  resourceMetadata?: null;

  /**
   * The grades for the resource; a placement is the course's placement for the first of them
   * @example ["5"]
   */
  @ApiProperty({ enum: GRADES, isArray: true })
  @IsArray()
  @ArrayMaxSize(GRADES.length)
  @IsIn(GRADES, { each: true })
  grades!: string[];

  @ApiProperty({ enum: AUTHORED_LESSON_TYPES })
  @IsIn(AUTHORED_LESSON_TYPES)
  lessonType!: AuthoredLessonType;

  /** The XP value for the resource (required for a test-out) */
  @ValidateIf((o: CreateExternalTestInputDto) => o.lessonType === 'test-out' || o.xp !== undefined)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  xp?: number;

  /** Placement only: the courseId to enroll the student in if they fail the placement test (optional) */
  @ApiPropertyOptional({ type: String, nullable: true })
  @ValidateIf((o: CreateExternalTestInputDto) => o.courseIdOnFail !== undefined)
  @PlacementOnly()
  @IsIdOrNull()
  courseIdOnFail?: string | null;
}

/** Input for creating an external test-out lesson (CreateExternalTestOutInput). */
export class CreateExternalTestOutInputDto extends OmitType(CreateExternalTestInputDto, [
  'lessonType',
  'xp',
  'courseIdOnFail',
] as const) {
  @ApiProperty({ enum: ['test-out'] })
  lessonType!: 'test-out';

  /** The XP value for the resource */
  @ApiProperty({ type: 'number' })
  xp!: number;
}

/** Input for creating an external placement test (CreateExternalPlacementInput). */
export class CreateExternalPlacementInputDto extends OmitType(CreateExternalTestInputDto, ['lessonType'] as const) {
  @ApiProperty({ enum: ['placement'] })
  lessonType!: 'placement';
}
