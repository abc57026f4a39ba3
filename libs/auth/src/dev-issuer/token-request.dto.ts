import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_SOURCED_ID_LENGTH } from '@external-tests/common';

/** The longest value each parameter of a token request may have (DevTokenController reads them against this). */
export const TOKEN_PARAMETER_LENGTHS = {
  grant_type: 2048,
  scope: 2048,
  org: MAX_SOURCED_ID_LENGTH,
  client_id: 2048,
  client_secret: 2048,
} as const;

/**
 * RFC 6749 §4.4.2 client-credentials token request (form-encoded), for the OpenAPI document: the controller reads
 * the body itself (unknown parameters ignored, RFC 6749 §3.2), so no validation pipe sees this class.
 */
export class TokenRequestDto {
  @ApiProperty({ example: 'client_credentials', maxLength: TOKEN_PARAMETER_LENGTHS.grant_type })
  grant_type?: string;

  @ApiPropertyOptional({
    description: 'Space-separated subset of the client scopes; all of them when omitted.',
    maxLength: TOKEN_PARAMETER_LENGTHS.scope,
  })
  scope?: string;

  @ApiPropertyOptional({
    description: 'Development only: restrict the token to one org (the `org` claim).',
    maxLength: TOKEN_PARAMETER_LENGTHS.org,
  })
  org?: string;

  @ApiPropertyOptional({
    description: 'When not sent with HTTP Basic authentication.',
    example: 'demo-client',
    maxLength: TOKEN_PARAMETER_LENGTHS.client_id,
  })
  client_id?: string;

  @ApiPropertyOptional({ example: 'demo-secret', maxLength: TOKEN_PARAMETER_LENGTHS.client_secret })
  client_secret?: string;
}

export class TokenResponseDto {
  @ApiProperty()
  access_token!: string;

  @ApiProperty({ example: 'Bearer' })
  token_type!: string;

  @ApiProperty({ example: 3600 })
  expires_in!: number;

  @ApiProperty()
  scope!: string;
}
