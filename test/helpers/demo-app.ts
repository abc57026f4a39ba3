import { RequestContext } from '@mikro-orm/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeedDocument, SeedLoader } from '@external-tests/oneroster';
import { createTestApp, TestApp } from './test-app';
import { freshDatabaseUrl } from './test-database';

/**
 * The full app on a fresh database holding `fixtures/demo.json`, loaded the way `npm start` loads it, with both
 * sandboxes and npm start's OAuth client: what a reader of Swagger UI meets on a fresh clone.
 */
export async function createDemoApp(label: string): Promise<TestApp> {
  const t = await createTestApp({
    DATABASE_URL: await freshDatabaseUrl(label),
    // npm start's client, which the Swagger UI examples and the README name.
    AUTH_DEV_CLIENT_ID: 'demo-client',
    AUTH_DEV_CLIENT_SECRET: 'demo-secret',
  });
  try {
    const demo = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'demo.json'), 'utf8')) as SeedDocument;
    await RequestContext.create(t.orm.em, () => t.app.get(SeedLoader).load(demo, t.baseUrl));
    return t;
  } catch (e) {
    await t.close();
    throw e;
  }
}
