/**
 * `npm run openapi`: writes the OpenAPI document of the production surface (no dev token issuer) to
 * openapi.json. Needs no database. CI regenerates it and fails on drift, then lints it.
 */
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppModule } from '../app.module';
import { createHttpAdapter } from '../configure-app';
import { buildOpenApiDocument } from '../swagger';

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const app = await NestFactory.create(
    AppModule.forRoot(
      {
        NODE_ENV: 'development',
        LOG_LEVEL: 'silent',
        DATABASE_URL: 'postgresql://unused@127.0.0.1:1/unused',
        AUTH_DEV_ISSUER: 'false',
        AUTH_JWKS_URL: 'https://idp.example/.well-known/jwks.json',
        AUTH_ISSUER: 'https://idp.example',
        AUTH_TOKEN_URL: 'https://idp.example/oauth2/token',
        // The committed document names no deployment's address (empty is unset).
        PUBLIC_BASE_URL: '',
      },
      { offline: true },
    ),
    createHttpAdapter({}),
    { logger: false },
  );
  const document = buildOpenApiDocument(app);
  const file = resolve(process.argv[2] ?? 'openapi.json');
  writeFileSync(file, JSON.stringify(document, null, 2) + '\n');
  await app.close();
  console.log(`Wrote ${file} (${Object.keys(document.paths).length} paths)`);
}

void main();
