/**
 * `npm run seed -- <file.json>`: loads a OneRoster-shaped document (the wrappers the PUT endpoints take) into
 * DATABASE_URL — by default the embedded database of a running `npm start`.
 */
import { RequestContext } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { readFileSync } from 'node:fs';
import { OneRosterModule, SeedDocument, SeedLoader } from '@external-tests/oneroster';
import { PersistenceModule } from '@external-tests/persistence';
import { readFlag } from '../config/env.schema';
import { devStackEnv } from './dev-stack-env';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('Usage: npm run seed -- <file.json>');
  const doc = JSON.parse(readFileSync(file, 'utf8')) as SeedDocument;
  const env = devStackEnv(process.env);
  // Only the database settings are read (the seed needs no other configuration); on npm start's embedded database
  // statements are not prepared (see DATABASE_PREPARED_STATEMENTS).
  const preparedStatements = readFlag(env.DATABASE_PREPARED_STATEMENTS ?? 'true');
  if (preparedStatements === undefined)
    throw new Error('DATABASE_PREPARED_STATEMENTS must be true or false (or 1/0, yes/no, on/off)');
  const persistence = { clientUrl: env.DATABASE_URL!, poolMax: 2, preparedStatements };

  @Module({ imports: [PersistenceModule.forRoot(persistence), OneRosterModule] })
  class SeedModule {}

  const app = await NestFactory.createApplicationContext(SeedModule, { logger: ['error'] });
  try {
    const counts = await RequestContext.create(app.get(MikroORM).em, () => app.get(SeedLoader).load(doc));
    console.log(
      `Loaded ${file}: ${Object.entries(counts)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')}`,
    );
  } finally {
    await app.close();
  }
}

main().catch((e: unknown) => {
  console.error(`Seed failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
