import { MikroORM } from '@mikro-orm/postgresql';
import { randomBytes } from 'node:crypto';
import { MIGRATIONS, ormOptions } from '@external-tests/persistence';
import { workerDatabaseUrl } from '../helpers/test-database';

/** Migrations that change what stored rows mean: applied to rows written before them, in a schema of its own. */
describe('migrations over existing data', () => {
  const schema = `mig_${randomBytes(4).toString('hex')}`;
  let orm: MikroORM;
  const sql = <T extends object>(text: string, params: unknown[] = []) =>
    orm.em.getConnection().execute<T[]>(text, params);

  beforeAll(async () => {
    orm = await MikroORM.init(ormOptions({ clientUrl: workerDatabaseUrl(), poolMax: 2, schema }));
  });
  afterAll(async () => {
    await sql(`drop schema if exists ${schema} cascade`).catch(() => undefined);
    await orm?.close(true);
  });

  it("gives enrollments stored without primary the spec's default, false, and then refuses none", async () => {
    const before = MIGRATIONS.findIndex((m) => m.name === 'Migration20261201120000') - 1;
    await orm.migrator.up({ to: MIGRATIONS[before].name });
    const insert = (id: string, primary: boolean | null) =>
      sql(
        `insert into ${schema}.enrollments (sourced_id, role, "primary", user_sourced_id, class_sourced_id) values (?, 'student', ?, 'u', 'c')`,
        [id, primary],
      );
    await insert('enr-null', null);
    await insert('enr-true', true);

    await orm.migrator.up();

    const rows = await sql<{ sourced_id: string; primary: boolean }>(
      `select sourced_id, "primary" from ${schema}.enrollments order by sourced_id`,
    );
    expect(rows).toEqual([
      { sourced_id: 'enr-null', primary: false },
      { sourced_id: 'enr-true', primary: true },
    ]);
    await expect(insert('enr-null-again', null)).rejects.toThrow(/not-null|null value/);
    await sql(
      `insert into ${schema}.enrollments (sourced_id, role, user_sourced_id, class_sourced_id) values ('enr-omitted', 'student', 'u', 'c')`,
    );
    expect(await sql(`select "primary" from ${schema}.enrollments where sourced_id = 'enr-omitted'`)).toEqual([
      { primary: false },
    ]);
  });
});
