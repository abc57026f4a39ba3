import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ALL_SCOPES } from '@app/auth';
import { specComponentSchemas } from '@app/oneroster';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('External test assignments')
    .setDescription(
      'Assigns test-outs, placements and unit tests on Edulastic and MasteryTrack, records them in a OneRoster ' +
        'gradebook and brings results back. PowerPath and OneRoster 1.2 contracts as TimeBack publishes them. ' +
        'Every error body is the imsx envelope.',
    )
    .setVersion('1.0.0')
    // The upstream OneRoster / PowerPath schemas it embeds are OpenAPI 3.1 (type arrays for nullable fields).
    .setOpenAPIVersion('3.1.0')
    .addServer('/', 'This deployment')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addOAuth2(
      {
        type: 'oauth2',
        flows: {
          clientCredentials: {
            tokenUrl: '/oauth2/token',
            scopes: Object.fromEntries(ALL_SCOPES.map((s) => [s, s.split('/scope/')[1]])),
          },
        },
      },
      'oauth2',
    )
    .addSecurityRequirements('bearer')
    .addSecurityRequirements('oauth2')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  // The OneRoster endpoints reference the upstream spec's component schemas: ship them in the document.
  document.components = {
    ...document.components,
    schemas: { ...specComponentSchemas(), ...document.components?.schemas },
  };
  return toOpenApi31(document);
}

/** Swagger UI at /docs, the document at /docs-json; with the dev issuer, Authorize is pre-filled. */
export function setupSwagger(app: INestApplication, devClientId?: string): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
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
