import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** RFC 6749 §4.4.2 client-credentials token request (form-encoded). */
export class TokenRequestDto {
  @ApiProperty({ example: 'client_credentials' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  grant_type?: string;

  @ApiPropertyOptional({ description: 'Space-separated subset of the client scopes; all of them when omitted.' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  scope?: string;

  @ApiPropertyOptional({ description: 'Development only: restrict the token to one org (the `org` claim).' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  org?: string;

  @ApiPropertyOptional({ description: 'When not sent with HTTP Basic authentication.', example: 'demo-client' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  client_id?: string;

  @ApiPropertyOptional({ example: 'demo-secret' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
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
