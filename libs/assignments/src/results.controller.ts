import { Body, Controller, Get, Header, HttpCode, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, RequireScopes, Scope } from '@external-tests/auth';
import { ApiImsxErrors } from '@external-tests/common';
import { AttemptsService } from './attempts/attempts.service';
import { IDEMPOTENCY_DOC } from './idempotency/idempotency-doc';
import { Exchange, type IdempotentExchange } from './idempotency/idempotent-exchange.decorator';
import { IdempotentExecution } from './idempotency/idempotent-execution';
import {
  AssessmentProgressDto,
  AttemptsDto,
  ImportResultsDto,
  NewAttemptDto,
  ResetAttemptDto,
} from './dto/results.dto';
import { ImportResultsQueryDto, ProgressQueryDto, StudentLessonDto } from './dto/student-lesson.dto';
import { ResultImportService } from './results/result-import.service';

const READ = [Scope.PowerPathReadonly, Scope.PowerPathCreatePut];
const ERRORS = [400, 401, 403, 404, 422, 429, 500, 503];

@ApiTags('PowerPath - Course Mastery')
@Controller('powerpath')
export class ResultsController {
  constructor(
    private readonly imports: ResultImportService,
    private readonly attempts: AttemptsService,
    private readonly idempotent: IdempotentExecution,
  ) {}

  @Get('importExternalTestAssignmentResults')
  @Header('Cache-Control', 'no-store')
  @RequireScopes(...READ)
  @ApiOperation({
    operationId: 'importExternalTestAssignmentResults',
    summary: 'Import external test assignment results',
    description:
      'Edulastic: pulls the gradebook of the stored assignment, stores score and per-question results, and finalizes the ' +
      'attempt when it is submitted, GRADED and every question is answered. MasteryTrack: its own write-back finalizes the ' +
      'attempt (fully graded and processed); the import only reads it. A finalized attempt is answered without an import. ' +
      'Read-only callers may run the import but get no credentials. ' +
      'Finalizing a placement or test-out may enrol the student (subject tracks), unless skipCourseEnrollment was set.',
  })
  @ApiOkResponse({ type: ImportResultsDto })
  @ApiImsxErrors([...ERRORS, 409, 502, 504], {
    409: 'Another request is making the assignment of the current attempt (a retake, say); retry after Retry-After',
    422: 'Not an external test lesson, unsupported tool, or no prior assignment ("credentials for data consumption are not available")',
  })
  importResults(@Query() q: ImportResultsQueryDto, @CurrentPrincipal() p: Principal): Promise<ImportResultsDto> {
    return this.imports.import(q, p);
  }

  @Get('getAssessmentProgress')
  @RequireScopes(...READ)
  @ApiOperation({
    operationId: 'getAssessmentProgress',
    summary: "Get a student's progress in an external test lesson",
  })
  @ApiOkResponse({ type: AssessmentProgressDto })
  @ApiImsxErrors(ERRORS)
  progress(@Query() q: ProgressQueryDto, @CurrentPrincipal() p: Principal): Promise<AssessmentProgressDto> {
    return this.attempts.progress(q, p);
  }

  @Get('getAttempts')
  @RequireScopes(...READ)
  @ApiOperation({ operationId: 'getAttempts', summary: 'Get all attempts' })
  @ApiOkResponse({ type: AttemptsDto })
  @ApiImsxErrors(ERRORS)
  getAttempts(@Query() q: StudentLessonDto, @CurrentPrincipal() p: Principal): Promise<AttemptsDto> {
    return this.attempts.list(q, p);
  }

  @Post('createNewAttempt')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: IDEMPOTENCY_DOC })
  @HttpCode(200)
  @RequireScopes(Scope.PowerPathCreatePut)
  @ApiOperation({
    operationId: 'createNewAttempt',
    summary: 'Create a new attempt once the current one is finalized (or closed: graded, never final)',
  })
  @ApiOkResponse({ type: NewAttemptDto })
  @ApiImsxErrors([...ERRORS, 409, 415])
  createNewAttempt(
    @Body() body: StudentLessonDto,
    @CurrentPrincipal() p: Principal,
    @Exchange() exchange: IdempotentExchange,
  ): Promise<NewAttemptDto> {
    return this.idempotent.run(exchange, () => this.attempts.create(body, p));
  }

  @Post('resetAttempt')
  @HttpCode(200)
  @RequireScopes(Scope.PowerPathCreatePut)
  @ApiOperation({
    operationId: 'resetAttempt',
    summary: 'Reset the current attempt (external tests: the score goes back to 0)',
  })
  @ApiOkResponse({ type: ResetAttemptDto })
  @ApiImsxErrors([...ERRORS, 415])
  resetAttempt(@Body() body: StudentLessonDto, @CurrentPrincipal() p: Principal): Promise<ResetAttemptDto> {
    return this.attempts.reset(body, p);
  }
}
