import { Body, Controller, Header, HttpCode, Post } from '@nestjs/common';
import {
  ApiBody,
  ApiHeader,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { CurrentPrincipal, Principal, RequireScopes, Scope } from '@external-tests/auth';
import { ApiImsxErrors } from '@external-tests/common';
import { AssignmentService } from './assignment.service';
import { IDEMPOTENCY_DOC } from './idempotency/idempotency-doc';
import { Exchange, type IdempotentExchange } from './idempotency/idempotent-exchange.decorator';
import { IdempotentExecution } from './idempotency/idempotent-execution';
import { ExternalTestAssignmentDto } from './dto/external-test-assignment.dto';
import { MakeExternalTestAssignmentDto } from './dto/make-external-test-assignment.dto';
import { ASSIGN_DESCRIPTION, ASSIGN_REQUEST_EXAMPLES, ASSIGN_RESPONSE_EXAMPLES } from './assignments.examples';

@ApiTags('PowerPath - Course Mastery')
@ApiExtraModels(ExternalTestAssignmentDto)
@Controller('powerpath')
export class AssignmentsController {
  constructor(
    private readonly assignments: AssignmentService,
    private readonly idempotent: IdempotentExecution,
  ) {}

  @Post('makeExternalTestAssignment')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: IDEMPOTENCY_DOC })
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @RequireScopes(Scope.PowerPathCreatePut)
  @ApiOperation({
    operationId: 'makeExternalTestAssignment',
    summary: 'Make external test assignment',
    description: ASSIGN_DESCRIPTION,
  })
  @ApiBody({ type: MakeExternalTestAssignmentDto, examples: ASSIGN_REQUEST_EXAMPLES })
  @ApiOkResponse({
    description: 'Success',
    content: {
      'application/json': {
        schema: { $ref: getSchemaPath(ExternalTestAssignmentDto) },
        examples: ASSIGN_RESPONSE_EXAMPLES,
      },
    },
  })
  @ApiImsxErrors([400, 401, 403, 404, 409, 415, 422, 429, 500, 502, 503, 504])
  make(
    @Body() body: MakeExternalTestAssignmentDto,
    @CurrentPrincipal() principal: Principal,
    @Exchange() exchange: IdempotentExchange,
  ): Promise<ExternalTestAssignmentDto> {
    return this.idempotent.run(exchange, () => this.assignments.makeExternalTestAssignment(body, principal));
  }
}
