import { ormOptions } from './orm-options';

describe('ormOptions schema', () => {
  const clientUrl = 'postgresql://postgres@127.0.0.1:5432/test';

  it('puts every pooled connection and the migration log in the schema', () => {
    const o = ormOptions({ clientUrl, schema: 'external_tests' });
    expect(o.driverOptions).toMatchObject({ connection: { options: '-c search_path=external_tests' } });
    expect(o.migrations?.tableName).toBe('external_tests.mikro_orm_migrations');
  });

  it('leaves the server default alone without one', () => {
    const o = ormOptions({ clientUrl });
    expect((o.driverOptions as { connection: object }).connection).not.toHaveProperty('options');
    expect(o.migrations?.tableName).toBe('mikro_orm_migrations');
  });

  it.each(['Public', 'a b', 'x;drop table users', 'x -c log_statement=all', '"q"', '', '1abc', 'a'.repeat(64)])(
    'refuses %j (it would reach a connection option and DDL)',
    (schema) => {
      expect(() => ormOptions({ clientUrl, schema })).toThrow(/lower-case PostgreSQL identifier/);
    },
  );
});
