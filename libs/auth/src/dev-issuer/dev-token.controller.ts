import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiBody, ApiConsumes, ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { sign } from 'jsonwebtoken';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { ErrorCode, givenMoreThanOnce, imsxEnvelope } from '@external-tests/common';
import { AUTH_OPTIONS, AuthOptions, DEV_TOKEN_PATH, DevIssuerOptions } from '../auth-options';
import { Public } from '../decorators';
import { DevSigningKey } from './dev-signing-key';
import { TOKEN_PARAMETER_LENGTHS, TokenRequestDto, TokenResponseDto } from './token-request.dto';

type OAuthError = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope';

/**
 * Development OAuth2 issuer (client_credentials only). It signs with the same RS256/JWKS mechanism a real
 * identity provider uses, so the validation path is identical in every environment. It writes its answers (OAuth
 * error fields included) through the host's HTTP adapter, so it serves Express and Fastify hosts alike.
 */
@ApiTags('Auth (development issuer)')
@Public()
@Controller()
export class DevTokenController {
  private readonly client: DevIssuerOptions;

  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
    private readonly key: DevSigningKey,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.client = options.devIssuer!;
  }

  @Post(DEV_TOKEN_PATH)
  @HttpCode(200)
  @ApiOperation({
    operationId: 'issueAccessToken',
    summary: 'Issue an access token (OAuth2 client credentials, RFC 6749 §4.4)',
  })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: TokenRequestDto })
  @ApiOkResponse({ type: TokenResponseDto })
  token(
    // Read here, not by the validation pipe: RFC 6749 §3.2 has unknown parameters ignored (the pipe refuses them),
    // and its errors carry the §5.2 `error` field. (A NUL in any string is still the pipe's 400, as everywhere.)
    @Body() body: unknown,
    @Headers('authorization') authorization: string | undefined,
    @Res() res: unknown,
  ): void {
    const http = this.adapterHost.httpAdapter;
    http.setHeader(res, 'Cache-Control', 'no-store');
    http.setHeader(res, 'Pragma', 'no-cache');
    const form = readTokenRequest(body);
    if ('problem' in form) return this.fail(res, 400, 'invalid_request', form.problem, form.field);
    if (form.grant_type !== 'client_credentials') {
      return this.fail(
        res,
        400,
        form.grant_type ? 'unsupported_grant_type' : 'invalid_request',
        'grant_type must be client_credentials',
      );
    }
    const creds = this.clientCredentials(authorization, form);
    if (
      !creds ||
      !this.matches(creds.id, this.client.clientId) ||
      !this.matches(creds.secret, this.client.clientSecret)
    ) {
      http.setHeader(res, 'WWW-Authenticate', 'Basic realm="oauth2"');
      return this.fail(res, 401, 'invalid_client', 'Client authentication failed');
    }
    // An absent or empty scope means the client's default: all of its scopes (RFC 6749 §3.3).
    const requested = form.scope?.trim() ? form.scope.split(' ').filter(Boolean) : [...this.client.scopes];
    const unknown = requested.filter((s) => !this.client.scopes.includes(s));
    if (unknown.length > 0) {
      return this.fail(res, 400, 'invalid_scope', `Scope not granted to this client: ${unknown.join(' ')}`);
    }
    const scope = requested.join(' ');
    const accessToken = sign(
      { scope, client_id: creds.id, ...(form.org ? { org: form.org } : {}) },
      this.key.privateKey,
      {
        algorithm: 'RS256',
        keyid: this.key.kid,
        issuer: this.options.issuer,
        audience: this.options.audience,
        subject: creds.id,
        expiresIn: this.client.tokenTtlSeconds,
        notBefore: 0,
        jwtid: randomUUID(),
      },
    );
    const answer: TokenResponseDto = {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: this.client.tokenTtlSeconds,
      scope,
    };
    http.reply(res, answer, 200);
  }

  @Get('.well-known/jwks.json')
  @ApiExcludeEndpoint()
  jwks() {
    return this.key.jwks();
  }

  /** HTTP Basic (RFC 6749 §2.3.1: form-urlencoded parts) or form fields. */
  private clientCredentials(authorization: string | undefined, form: TokenRequestDto) {
    if (authorization?.startsWith('Basic ')) {
      const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i < 0) return undefined;
      try {
        return { id: decodeURIComponent(decoded.slice(0, i)), secret: decodeURIComponent(decoded.slice(i + 1)) };
      } catch {
        return undefined;
      }
    }
    if (form.client_id && form.client_secret) return { id: form.client_id, secret: form.client_secret };
    return undefined;
  }

  private matches(given: string, expected: string): boolean {
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** The RFC 6749 §5.2 error fields inside the imsx envelope, whose details carry our code and the field at fault. */
  private fail(res: unknown, status: number, error: OAuthError, description: string, field?: string): void {
    const detail: Record<string, string> =
      error === 'invalid_client'
        ? { code: ErrorCode.Unauthenticated }
        : { code: ErrorCode.InvalidRequest, field: field ?? (error === 'invalid_scope' ? 'scope' : 'grant_type') };
    const body = { error, error_description: description, ...imsxEnvelope(status, description, [detail]) };
    this.adapterHost.httpAdapter.reply(res, body, status);
  }
}

/**
 * A token request's parameters (RFC 6749): the ones it knows, each a single string; any other is ignored (§3.2).
 * The problem, when a known one is repeated, not text or too long (`invalid_request`, §5.2).
 */
function readTokenRequest(body: unknown): TokenRequestDto | { problem: string; field: string } {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body))
    return { problem: 'The request must be a form (or a JSON object)', field: 'body' };
  const form: TokenRequestDto = {};
  for (const [name, max] of Object.entries(TOKEN_PARAMETER_LENGTHS) as [keyof TokenRequestDto, number][]) {
    if (!Object.prototype.hasOwnProperty.call(body, name)) continue;
    const value = (body as Record<string, unknown>)[name];
    // A parameter sent without a value is treated as omitted (§3.1): JSON's null is that.
    if (value === null) continue;
    if (typeof value !== 'string') return { problem: givenMoreThanOnce(name).message, field: name };
    if (value.length > max) return { problem: `${name} must be at most ${max} characters`, field: name };
    form[name] = value;
  }
  return form;
}
