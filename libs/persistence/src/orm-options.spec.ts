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

describe('ormOptions lockTimeoutMs, idleInTransactionTimeoutMs and statementTimeoutMs', () => {
  const clientUrl = 'postgresql://postgres@127.0.0.1:5432/test';
  type Connection = ReturnType<typeof connection>;
  type AfterCreate = (c: Connection, done: (e?: Error, c?: Connection) => void) => void;
  const afterCreateOf = (o: {
    lockTimeoutMs?: number;
    idleInTransactionTimeoutMs?: number;
    statementTimeoutMs?: number;
  }) => ormOptions({ clientUrl, ...o }).pool!.afterCreate as AfterCreate;
  /** A pg client as afterCreate sees it: what it is sent, its listeners, whether it was ended. */
  function connection(fails = false) {
    const sent: string[] = [];
    const listeners: Record<string, ((e?: unknown) => void)[]> = {};
    const c = {
      sent,
      ended: false,
      __knex__disposed: undefined as unknown,
      query: (sql: string, cb: (e?: Error) => void) => (sent.push(sql), cb(fails ? new Error('refused') : undefined)),
      end: () => ((c.ended = true), Promise.resolve()),
      on: (event: string, listener: (e?: unknown) => void) => (listeners[event] ??= []).push(listener),
      emit: (event: string, e?: unknown) => listeners[event]?.forEach((l) => l(e)),
    };
    return c;
  }

  it.each([undefined, 0])('%j sends nothing: the server (or the role) decides', (ms) => {
    const c = connection();
    const done = jest.fn();
    afterCreateOf({ lockTimeoutMs: ms, idleInTransactionTimeoutMs: ms, statementTimeoutMs: ms })(c, done);
    expect(done).toHaveBeenCalledWith(undefined, c);
    expect(c.sent).toEqual([]);
  });

  it('sets them as each connection opens, in one statement and only those set, and closes a connection the SET fails on', () => {
    const ok = connection();
    const done = jest.fn();
    afterCreateOf({ lockTimeoutMs: 5000, idleInTransactionTimeoutMs: 10000, statementTimeoutMs: 15000 })(ok, done);
    expect(done).toHaveBeenCalledWith(undefined, ok);
    expect(ok.sent).toEqual([
      'set lock_timeout = 5000; set idle_in_transaction_session_timeout = 10000; set statement_timeout = 15000',
    ]);
    const idleOnly = connection();
    afterCreateOf({ lockTimeoutMs: 0, idleInTransactionTimeoutMs: 300 })(idleOnly, done);
    expect(idleOnly.sent).toEqual(['set idle_in_transaction_session_timeout = 300']);
    const refused = connection(true);
    afterCreateOf({ lockTimeoutMs: 2500 })(refused, done);
    expect(done).toHaveBeenLastCalledWith(new Error('refused'));
    expect([ok.ended, refused.ended]).toEqual([false, true]);
  });

  it("marks a failed connection with its first failure, not knex's later 'Connection ended unexpectedly'", () => {
    const c = connection();
    // knex's own listeners come first on the client (dialects/postgres: _acquireOnlyConnection).
    c.on('error', (e) => (c.__knex__disposed = e));
    c.on('end', () => (c.__knex__disposed = 'Connection ended unexpectedly'));
    afterCreateOf({})(c, () => undefined);
    const idle = Object.assign(new Error('terminating connection due to idle-in-transaction timeout'), {
      code: '25P03',
    });
    c.emit('error', idle);
    c.emit('error', new Error('Connection terminated unexpectedly'));
    c.emit('end');
    expect(c.__knex__disposed).toBe(idle);
    // A connection that just ends keeps knex's mark.
    const ended = connection();
    ended.on('end', () => (ended.__knex__disposed = 'Connection ended unexpectedly'));
    afterCreateOf({})(ended, () => undefined);
    ended.emit('end');
    expect(ended.__knex__disposed).toBe('Connection ended unexpectedly');
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31])('refuses %j', (ms) => {
    expect(() => ormOptions({ clientUrl, lockTimeoutMs: ms })).toThrow(/^lockTimeoutMs must be a whole number/);
    expect(() => ormOptions({ clientUrl, idleInTransactionTimeoutMs: ms })).toThrow(
      /^idleInTransactionTimeoutMs must be a whole number/,
    );
    expect(() => ormOptions({ clientUrl, statementTimeoutMs: ms })).toThrow(
      /^statementTimeoutMs must be a whole number/,
    );
  });
});
