import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { ormOptions } from '../../libs/persistence/src/orm-options';
import { databaseUrl, TEMPLATE_DATABASE, TEST_DATABASE_URL, workerDatabaseName } from './test-database';

/**
 * Applies the committed migrations once to a template database, then clones it for every worker, so the
 * suites test the migrations themselves and workers never share rows.
 */
export default async function globalSetup(config: { maxWorkers: number }): Promise<void> {
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    const recreate = async (name: string, template?: string) => {
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.query(`create database "${name}"${template ? ` template "${template}"` : ''}`);
    };
    await recreate(TEMPLATE_DATABASE);
    const orm = await MikroORM.init(ormOptions({ clientUrl: databaseUrl(TEMPLATE_DATABASE), poolMax: 2 }));
    await orm.migrator.up();
    await orm.close(true);
    for (let w = 1; w <= Math.max(1, config.maxWorkers); w++) await recreate(workerDatabaseName(w), TEMPLATE_DATABASE);
  } finally {
    await admin.end();
  }
}
