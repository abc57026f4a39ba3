import { isTransientDatabaseError } from './transient-database-error';

const withCode = (code: string) => Object.assign(new Error('failed'), { code });

describe('isTransientDatabaseError', () => {
  it.each(['40001', '40P01', '55P03', '57014', '57P01', '57P03', '53300', '08006', 'ECONNREFUSED', 'ECONNRESET'])(
    '%s is a moment of refusal',
    (code) => expect(isTransientDatabaseError(withCode(code))).toBe(true),
  );

  it("knex's pool acquire timeout is one", () => {
    const e = new Error('Knex: Timeout acquiring a connection. The pool is probably full.');
    e.name = 'KnexTimeoutError';
    expect(isTransientDatabaseError(e)).toBe(true);
  });

  it.each(['23505', '23503', '22P02', '42601', '40000', '57P04', 'ENOENT'])('%s is not', (code) =>
    expect(isTransientDatabaseError(withCode(code))).toBe(false),
  );

  it('nor is anything without a code, or not an Error', () => {
    expect(isTransientDatabaseError(new Error('failed'))).toBe(false);
    expect(isTransientDatabaseError({ code: '40P01' })).toBe(false);
    expect(isTransientDatabaseError(undefined)).toBe(false);
  });
});
