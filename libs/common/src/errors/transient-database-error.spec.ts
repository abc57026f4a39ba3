import { isTransactionConflict, isTransientDatabaseError } from './transient-database-error';

const failure = (fields: Record<string, unknown>, message = 'failed') => Object.assign(new Error(message), fields);

describe('isTransientDatabaseError', () => {
  it.each(['40001', '40P01', '55P03', '57014', '57P01', '57P03', '53300', '25P03', '08006', '08001'])(
    'SQLSTATE %s is a moment of refusal',
    (code) => expect(isTransientDatabaseError(failure({ code }))).toBe(true),
  );

  it.each(['23505', '23503', '22P02', '42601', '40000', '57P04', '53100', '08P01'])('SQLSTATE %s is not', (code) =>
    expect(isTransientDatabaseError(failure({ code }))).toBe(false),
  );

  it("a refused connect, knex's pool timeout (also as MikroORM rewraps it) and a lost connection are", () => {
    expect(isTransientDatabaseError(failure({ code: 'ECONNREFUSED', syscall: 'connect' }))).toBe(true);
    // The server's socket reset while connecting or under a statement (a host down, a restart, a network cut).
    expect(isTransientDatabaseError(failure({ code: 'ECONNRESET', syscall: 'read' }))).toBe(true);
    expect(isTransientDatabaseError(failure({ code: 'ECONNRESET', syscall: 'connect' }))).toBe(true);
    expect(isTransientDatabaseError(failure({ code: 'EPIPE', syscall: 'write' }))).toBe(true);
    const knex = new Error('Knex: Timeout acquiring a connection. The pool is probably full.');
    knex.name = 'KnexTimeoutError';
    expect(isTransientDatabaseError(knex)).toBe(true);
    const rewrapped = new Error('Knex: Timeout acquiring a connection. The pool is probably full.');
    rewrapped.name = 'DriverException';
    expect(isTransientDatabaseError(rewrapped)).toBe(true);
    expect(isTransientDatabaseError(new Error('Connection terminated unexpectedly'))).toBe(true);
    // pg's answer to a statement on a connection the server ended while it was idle.
    expect(isTransientDatabaseError(new Error('Client has encountered a connection error and is not queryable'))).toBe(
      true,
    );
  });

  it('a client hanging up, anything without a code, or not an Error is not', () => {
    expect(isTransientDatabaseError(failure({ code: 'ECONNRESET' }, 'aborted'))).toBe(false);
    expect(isTransientDatabaseError(failure({ code: 'ECONNREFUSED' }))).toBe(false);
    expect(isTransientDatabaseError(new Error('failed'))).toBe(false);
    expect(isTransientDatabaseError({ code: '40P01' })).toBe(false);
    expect(isTransientDatabaseError(undefined)).toBe(false);
  });
});

describe('isTransactionConflict', () => {
  it.each(['40001', '40P01'])('SQLSTATE %s is a conflict lost to a concurrent transaction (and transient)', (code) => {
    expect(isTransactionConflict(failure({ code }))).toBe(true);
    expect(isTransientDatabaseError(failure({ code }))).toBe(true);
  });

  it.each(['55P03', '57014', '08006', '23505', '40000'])(
    'SQLSTATE %s is not: running the work again is no answer',
    (code) => expect(isTransactionConflict(failure({ code }))).toBe(false),
  );

  it('a plain object carrying the code is not an error', () =>
    expect(isTransactionConflict({ code: '40P01' })).toBe(false));
});
