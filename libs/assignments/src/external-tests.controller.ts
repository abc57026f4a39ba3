import { Body, Controller, Get, Header, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, RequireScopes, Scope } from '@external-tests/auth';
import { ApiImsxErrors } from '@external-tests/common';
import { ExternalTestAuthoringService } from './authoring/external-test-authoring.service';
import { TestOutService } from './authoring/test-out.service';
import {
  CreateExternalPlacementInputDto,
  CreateExternalTestInputDto,
  CreateExternalTestOutInputDto,
} from './dto/create-external-test.dto';
import { ExternalTestLessonDto } from './dto/external-test-lesson.dto';
import { TestOutDto, TestOutQueryDto } from './dto/test-out.dto';
import {
  CREATE_PLACEMENT_DESCRIPTION,
  CREATE_TEST_OUT_DESCRIPTION,
  EXTERNAL_TEST_LESSON_EXAMPLES,
  PLACEMENT_EXAMPLES,
  TEST_OUT_DESCRIPTION,
  TEST_OUT_EXAMPLES,
} from './external-tests.examples';

const ERRORS = [400, 401, 403, 404, 422, 429, 500, 503];
/** A JSON body: any other type is a 415. */
const BODY_ERRORS = [...ERRORS, 415];

/** Both endpoints take the contract's oneOf body, told apart by lessonType. */
const INPUT_SCHEMA = {
  oneOf: [
    { $ref: getSchemaPath(CreateExternalTestOutInputDto) },
    { $ref: getSchemaPath(CreateExternalPlacementInputDto) },
  ],
  discriminator: {
    propertyName: 'lessonType',
    mapping: {
      'test-out': getSchemaPath(CreateExternalTestOutInputDto),
      placement: getSchemaPath(CreateExternalPlacementInputDto),
    },
  },
};

const LESSON_RESPONSE = {
  description: 'Success',
  content: {
    'application/json': {
      schema: { $ref: getSchemaPath(ExternalTestLessonDto) },
      examples: EXTERNAL_TEST_LESSON_EXAMPLES,
    },
  },
};

@ApiTags('PowerPath - Course Mastery')
@ApiExtraModels(CreateExternalTestOutInputDto, CreateExternalPlacementInputDto, ExternalTestLessonDto)
@Controller('powerpath')
export class ExternalTestsController {
  constructor(
    private readonly authoring: ExternalTestAuthoringService,
    private readonly testOuts: TestOutService,
  ) {}

  @Post('createExternalPlacementTest')
  @HttpCode(200)
  @RequireScopes(Scope.PowerPathCreatePut)
  @ApiOperation({
    operationId: 'createExternalPlacementTest',
    summary: 'Create an external placement test',
    description: CREATE_PLACEMENT_DESCRIPTION,
  })
  @ApiBody({ schema: INPUT_SCHEMA, examples: PLACEMENT_EXAMPLES })
  @ApiOkResponse(LESSON_RESPONSE)
  @ApiImsxErrors(BODY_ERRORS)
  createPlacement(
    @Body() body: CreateExternalTestInputDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<ExternalTestLessonDto> {
    return this.authoring.createOrUpdate(body, p);
  }

  @Post('createExternalTestOut')
  @HttpCode(200)
  @RequireScopes(Scope.PowerPathCreatePut)
  @ApiOperation({
    operationId: 'createExternalTestOut',
    summary: 'Create an external test-out',
    description: CREATE_TEST_OUT_DESCRIPTION,
    deprecated: true,
  })
  @ApiBody({ schema: INPUT_SCHEMA, examples: TEST_OUT_EXAMPLES })
  @ApiOkResponse(LESSON_RESPONSE)
  @ApiImsxErrors(BODY_ERRORS)
  createTestOut(
    @Body() body: CreateExternalTestInputDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<ExternalTestLessonDto> {
    return this.authoring.createOrUpdate(body, p);
  }

  @Get('testOut')
  @Header('Cache-Control', 'no-store')
  @RequireScopes(Scope.PowerPathReadonly, Scope.PowerPathCreatePut)
  @ApiOperation({
    operationId: 'testOut',
    summary: "Get a course's test-out lesson for a student",
    description: TEST_OUT_DESCRIPTION,
    deprecated: true,
  })
  @ApiOkResponse({ type: TestOutDto, description: 'Success' })
  @ApiImsxErrors(ERRORS)
  testOut(@Query() q: TestOutQueryDto, @CurrentPrincipal() p: Principal): Promise<TestOutDto> {
    return this.testOuts.testOut(q, p);
  }
}
