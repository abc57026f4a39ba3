import { AppError, ErrorCode, httpStatusOf } from '@external-tests/common';
import { accountOf, resolveAccountName } from './tool-accounts';

const ACCOUNTS = { default: { apiKey: 'a' }, acme: { apiKey: 'b' } };

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

describe('resolveAccountName', () => {
  it('uses the default account without applicationName and the named one with it', () => {
    expect(resolveAccountName('Edulastic', ACCOUNTS)).toBe('default');
    expect(resolveAccountName('Edulastic', ACCOUNTS, 'acme')).toBe('acme');
  });

  it('answers UNKNOWN_APPLICATION for an unknown applicationName', () => {
    const err = errorOf(() => resolveAccountName('Edulastic', ACCOUNTS, 'globex'));

    expect(err.code).toBe(ErrorCode.UnknownApplication);
    expect(err.message).toBe("Unknown applicationName 'globex' for Edulastic");
    expect(err.options.details).toEqual([{ field: 'applicationName', value: 'globex' }]);
  });

  it('answers UNKNOWN_APPLICATION when there is no default account and no applicationName', () => {
    const err = errorOf(() => resolveAccountName('MasteryTrack', { acme: {} }));

    expect(err.code).toBe(ErrorCode.UnknownApplication);
    expect(err.message).toContain('pass applicationName');
  });

  it.each([undefined, {}])('answers TOOL_UNAVAILABLE when no account is configured (%j)', (accounts) => {
    const err = errorOf(() => resolveAccountName('MasteryTrack', accounts, 'acme'));

    expect(err.code).toBe(ErrorCode.ToolUnavailable);
    expect(httpStatusOf(err.code)).toBe(503);
    expect(err.options.retryAfterSeconds).toBe(60);
  });
});

describe('accountOf', () => {
  it('returns the named account and fails internally for a missing one', () => {
    expect(accountOf(ACCOUNTS, 'acme')).toEqual({ apiKey: 'b' });
    expect(errorOf(() => accountOf(ACCOUNTS, 'globex')).code).toBe(ErrorCode.Internal);
  });
});

describe('own accounts only', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('%s is an unknown applicationName', (name) => {
    const err = errorOf(() => resolveAccountName('Edulastic', ACCOUNTS, name));
    expect(err.code).toBe(ErrorCode.UnknownApplication);
    expect(err.message).toBe(`Unknown applicationName '${name}' for Edulastic`);
    expect(errorOf(() => accountOf(ACCOUNTS, name)).code).toBe(ErrorCode.Internal);
  });
});
