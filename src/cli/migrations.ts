/**
 * Migration commands: `create` writes a migration for the entity changes (then list it in
 * libs/persistence/src/migrations/index.ts), `up` applies pending ones, `check` fails when the entities and
 * the committed migrations disagree (run in CI).
 */
import { MikroORM } from '@mikro-orm/postgresql';
import { ormOptions } from '@external-tests/persistence';

async function main(): Promise<void> {
  const command = process.argv[2];
  const clientUrl =
    process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
  const base = ormOptions({ clientUrl });
  const orm = await MikroORM.init({
    ...base,
    migrations: {
      ...base.migrations,
      path: 'libs/persistence/src/migrations',
      pathTs: 'libs/persistence/src/migrations',
      emit: 'ts',
    },
  });
  try {
    if (command === 'create') {
      await orm.migrator.up();
      const result = await orm.migrator.createMigration(undefined, false, process.argv.includes('--initial'));
      console.log(result.fileName ? `Created ${result.fileName}` : 'No changes');
    } else if (command === 'up') {
      const applied = await orm.migrator.up();
      console.log(`Applied ${applied.length} migration(s)`);
    } else if (command === 'check') {
      await orm.migrator.up();
      const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false });
      if (diff.trim()) {
        console.error('Entities and migrations disagree; run `npm run migration:create`:\n' + diff);
        process.exitCode = 1;
      } else {
        console.log('Migrations match the entities');
      }
    } else {
      console.error('Usage: migrations <create|up|check>');
      process.exitCode = 2;
    }
  } finally {
    await orm.close(true);
  }
}

void main();
