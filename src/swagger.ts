import { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { TagObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ALL_SCOPES, DEV_TOKEN_PATH } from '@external-tests/auth';
import { withoutTrailingSlash } from '@external-tests/common';
import { specComponentSchemas } from '@external-tests/oneroster';
import type { Env } from './config/env.schema';
import { TAGS } from './swagger-tags';

/**
 * The document of this deployment, served under PUBLIC_BASE_URL's path when it is set (else from where the page came). Its
 * OAuth2 (client credentials) scheme names the token endpoint clients use: AUTH_TOKEN_URL, else the dev issuer's
 * own; with neither there is no token endpoint to name, and bearer is the only scheme.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const env = app.get(ConfigService<Env, true>);
  // Behind a proxy that serves it under a path, '/' would send Try it out past the prefix. The path only: an origin
  // would make every call cross-origin for a page opened at another of the service's names (a relative server is
  // read against the document's own address, OpenAPI §4.8.5).
  const publicUrl = env.get('PUBLIC_BASE_URL', { infer: true });
  const prefix = publicUrl ? withoutTrailingSlash(new URL(publicUrl).pathname) : '';
  const devIssuer = !env.get('AUTH_TOKEN_URL', { infer: true }) && env.get('AUTH_DEV_ISSUER', { infer: true });
  const tokenUrl = env.get('AUTH_TOKEN_URL', { infer: true }) ?? (devIssuer ? `${prefix}${DEV_TOKEN_PATH}` : undefined);
  const builder = new DocumentBuilder()
    .setTitle('External test assignments')
    .setDescription(
      'Assigns test-outs, placements and unit tests on Edulastic and MasteryTrack, records them in a OneRoster ' +
        'gradebook and brings results back. PowerPath and OneRoster 1.2 contracts as TimeBack publishes them. ' +
        'Every error body is the imsx envelope.',
    )
    .setVersion('1.0.0')
    // The upstream OneRoster / PowerPath schemas it embeds are OpenAPI 3.1 (type arrays for nullable fields).
    .setOpenAPIVersion('3.1.0')
    .addServer(prefix || '/', 'This deployment');
  // OAuth2 first: Swagger UI's Authorize dialog lists the schemes in this order, and the README points at it.
  if (tokenUrl)
    builder.addOAuth2(
      {
        type: 'oauth2',
        description:
          'Client credentials: Swagger UI fetches the token and sends it as a bearer token.' +
          // Where a new user finds the secret (the dialog asks for it); never the secret itself.
          (devIssuer
            ? " The token endpoint is the development issuer's: its client is filled in, and its secret is the one" +
              ' `npm start` prints (AUTH_DEV_CLIENT_SECRET).'
            : ''),
        flows: {
          clientCredentials: {
            tokenUrl,
            scopes: Object.fromEntries(ALL_SCOPES.map((s) => [s, s.split('/scope/')[1]])),
          },
        },
      },
      'oauth2',
    );
  builder.addBearerAuth({
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A token obtained elsewhere.',
  });
  // Every operation needs a token (either scheme) unless it is @Public(), which writes `security: []` on it.
  if (tokenUrl) builder.addSecurityRequirements('oauth2');
  builder.addSecurityRequirements('bearer');
  const document = SwaggerModule.createDocument(app, builder.build());
  // The OneRoster endpoints reference the upstream spec's component schemas: ship them in the document.
  document.components = {
    ...document.components,
    schemas: { ...specComponentSchemas(), ...document.components?.schemas },
  };
  document.tags = usedTagsInOrder(document);
  return toOpenApi31(document);
}

/**
 * Runs in the page. Swagger UI's bearer field takes the focus when the Authorize dialog opens (its autoFocus), which
 * scrolls the dialog past the OAuth2 form listed above it, the one a reader fills in first. Where bearer is not the
 * first scheme, the dialog opens at its top and the first scheme's first empty field (the secret, when the client is
 * pre-filled; none once authorized) takes the focus. A MutationObserver's callback runs after the render that focused
 * the bearer field.
 */
const FOCUS_FIRST_SCHEME = `new MutationObserver(() => {
  const modal = document.querySelector('.modal-ux');
  if (!modal || modal.dataset.focused) return;
  modal.dataset.focused = 'first-scheme';
  const first = modal.querySelector('.auth-container');
  const bearer = document.activeElement;
  if (!first || bearer?.id !== 'auth-bearer-value' || first.contains(bearer)) return;
  const empty = [...first.querySelectorAll('input[type=text], input[type=password]')].find((i) => !i.value);
  bearer.blur();
  modal.querySelector('.modal-ux-content')?.scrollTo(0, 0);
  // Focusing scrolls only as far as the field needs.
  empty?.focus();
}).observe(document.body, { childList: true, subtree: true });`;

/** Swagger UI at /docs, the document at /docs-json; with the dev issuer, Authorize is pre-filled. */
export function setupSwagger(app: INestApplication, devClientId?: string): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    customJsStr: FOCUS_FIRST_SCHEME,
    swaggerOptions: {
      persistAuthorization: true,
      displayRequestDuration: true,
      ...(devClientId ? { initOAuth: { clientId: devClientId, scopes: [...ALL_SCOPES] } } : {}),
    },
  });
}

/** OpenAPI 3.1 has no `nullable`: `{type: T, nullable: true}` becomes `{type: [T, 'null']}` everywhere. */
function toOpenApi31<T>(node: T): T {
  if (Array.isArray(node)) return node.map(toOpenApi31) as T;
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (k !== 'nullable') out[k] = toOpenApi31(v);
  const n = node as Record<string, unknown>;
  if (n.nullable === true && typeof n.type === 'string') out.type = [n.type, 'null'];
  return out as T;
}

/** The tags the operations use, described and in reading order (a tag missing from TAGS goes last, undescribed). */
function usedTagsInOrder(document: OpenAPIObject): TagObject[] {
  const used = new Set(
    Object.values(document.paths).flatMap((item) =>
      Object.values(item as Record<string, { tags?: string[] }>).flatMap((op) => op?.tags ?? []),
    ),
  );
  const known = TAGS.filter((t) => used.has(t.name));
  const unknown = [...used].filter((name) => !TAGS.some((t) => t.name === name)).map((name) => ({ name }));
  return [...known, ...unknown];
}
