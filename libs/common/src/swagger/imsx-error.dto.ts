import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse, ApiResponseOptions } from '@nestjs/swagger';

class ImsxCodeMinorFieldDto {
  @ApiProperty({ example: 'TargetEndSystem' })
  imsx_codeMinorFieldName!: string;

  @ApiProperty({ example: 'invaliddata' })
  imsx_codeMinorFieldValue!: string;
}

class ImsxCodeMinorDto {
  @ApiProperty({ type: [ImsxCodeMinorFieldDto] })
  imsx_codeMinorField!: ImsxCodeMinorFieldDto[];
}

/** The imsx error envelope, for OpenAPI. */
export class ImsxErrorDto {
  @ApiProperty({ example: 'failure' })
  imsx_codeMajor!: string;

  @ApiProperty({ example: 'error' })
  imsx_severity!: string;

  @ApiProperty({ example: 'student must be a string' })
  imsx_description!: string;

  @ApiProperty({ type: ImsxCodeMinorDto })
  imsx_CodeMinor!: ImsxCodeMinorDto;

  @ApiPropertyOptional({ type: 'array', items: { type: 'object', additionalProperties: { type: 'string' } } })
  imsx_error_details?: Record<string, string>[];
}

const WHAT: Record<number, string> = {
  400: 'Malformed request: a field is missing, has the wrong type, or is unknown',
  401: 'Missing, invalid or expired bearer token',
  403: 'The token lacks the scope this operation needs',
  404: 'The referenced object does not exist',
  409: 'Another request is working on the same object; retry after Retry-After seconds',
  415: 'The body is not JSON (send it with Content-Type: application/json)',
  422: 'The request is well-formed but cannot be processed (see imsx_description)',
  429: 'Rate limit exceeded; retry after Retry-After seconds',
  500: 'Unexpected error (no details are disclosed)',
  502: 'The external tool answered something unusable',
  503: 'The external tool is unavailable (TOOL_UNAVAILABLE), or this service is busy for a moment (BUSY); retry after Retry-After seconds',
  504: 'The external tool did not answer in time',
};

/** `@ApiResponse` options for each error status, all with the imsx body. */
export function imsxResponses(statuses: number[], overrides: Record<number, string> = {}): ApiResponseOptions[] {
  return statuses.map((status) => ({ status, description: overrides[status] ?? WHAT[status], type: ImsxErrorDto }));
}

/** Documents each error status with the imsx body. */
export function ApiImsxErrors(statuses: number[], overrides: Record<number, string> = {}) {
  return applyDecorators(...imsxResponses(statuses, overrides).map((o) => ApiResponse(o)));
}
