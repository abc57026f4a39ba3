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

describe('ormOptions lockTimeoutMs and idleInTransactionTimeoutMs', () => {
  const clientUrl = 'postgresql://postgres@127.0.0.1:5432/test';

  it.each([undefined, 0])('%j sets nothing: the server (or the role) decides', (lockTimeoutMs) => {
    expect(ormOptions({ clientUrl, lockTimeoutMs }).pool).not.toHaveProperty('afterCreate');
  });

  it('sets it as each connection opens, and closes a connection the SET fails on', () => {
    const afterCreate = ormOptions({ clientUrl, lockTimeoutMs: 2500 }).pool!.afterCreate as (
      c: object,
      done: (e?: Error, c?: object) => void,
    ) => void;
    const sent: string[] = [];
    const ended: boolean[] = [];
    const connection = (fails: boolean) => ({
      query: (sql: string, cb: (e?: Error) => void) => (sent.push(sql), cb(fails ? new Error('refused') : undefined)),
      end: () => (ended.push(true), Promise.resolve()),
    });
    const ok = connection(false);
    const done = jest.fn();
    afterCreate(ok, done);
    expect(done).toHaveBeenCalledWith(undefined, ok);
    afterCreate(connection(true), done);
    expect(done).toHaveBeenLastCalledWith(new Error('refused'));
    expect(sent).toEqual(['set lock_timeout = 2500', 'set lock_timeout = 2500']);
    expect(ended).toEqual([true]);
  });

  it('sends both settings in one statement, and only those set', () => {
    const sentBy = (o: { lockTimeoutMs?: number; idleInTransactionTimeoutMs?: number }) => {
      const afterCreate = ormOptions({ clientUrl, ...o }).pool!.afterCreate as (c: object, done: () => void) => void;
      const sent: string[] = [];
      afterCreate({ query: (sql: string, cb: () => void) => (sent.push(sql), cb()) }, () => undefined);
      return sent;
    };
    expect(sentBy({ lockTimeoutMs: 5000, idleInTransactionTimeoutMs: 10000 })).toEqual([
      'set lock_timeout = 5000; set idle_in_transaction_session_timeout = 10000',
    ]);
    expect(sentBy({ lockTimeoutMs: 0, idleInTransactionTimeoutMs: 300 })).toEqual([
      'set idle_in_transaction_session_timeout = 300',
    ]);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31])('refuses %j', (ms) => {
    expect(() => ormOptions({ clientUrl, lockTimeoutMs: ms })).toThrow(/^lockTimeoutMs must be a whole number/);
    expect(() => ormOptions({ clientUrl, idleInTransactionTimeoutMs: ms })).toThrow(
      /^idleInTransactionTimeoutMs must be a whole number/,
    );
  });
});
