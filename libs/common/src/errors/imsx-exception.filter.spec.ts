import { ArgumentsHost, InternalServerErrorException, Logger, ServiceUnavailableException } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ImsxExceptionFilter } from './imsx-exception.filter';

/** What the filter answers and logs for one exception, through a minimal adapter that records the reply. */
function answer(exception: unknown) {
  const headers: Record<string, string> = {};
  const sent: { status?: number } = {};
  const adapter = {
    isHeadersSent: () => false,
    getHeader: (_res: unknown, name: string) => headers[name],
    setHeader: (_res: unknown, name: string, value: string) => (headers[name] = value),
    reply: (_res: unknown, _body: unknown, status: number) => (sent.status = status),
  };
  const host = {
    switchToHttp: () => ({ getResponse: () => ({}), getRequest: () => ({ id: 'req-1' }) }),
  } as unknown as ArgumentsHost;
  const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  try {
    new ImsxExceptionFilter({ httpAdapter: adapter } as unknown as HttpAdapterHost).catch(exception, host);
    return {
      status: sent.status,
      retryAfter: headers['Retry-After'],
      errors: error.mock.calls.length,
      warnings: warn.mock.calls.length,
    };
  } finally {
    error.mockRestore();
    warn.mockRestore();
  }
}

const sqlState = (code: string) => Object.assign(new Error('failed'), { code });

describe('ImsxExceptionFilter: a database that refused', () => {
  it('a deadlock or a lock timeout: 503, Retry-After 1, a warning', () => {
    expect(answer(sqlState('40P01'))).toEqual({ status: 503, retryAfter: '1', errors: 0, warnings: 1 });
    expect(answer(sqlState('55P03'))).toEqual({ status: 503, retryAfter: '1', errors: 0, warnings: 1 });
  });

  it('a statement cancelled by its timeout: 503, a longer Retry-After, and an error (it ran for the whole bound)', () => {
    expect(answer(sqlState('57014'))).toEqual({ status: 503, retryAfter: '5', errors: 1, warnings: 0 });
  });
});

describe('ImsxExceptionFilter: what is logged as a fault', () => {
  it("a framework HTTP exception is an answer (a readiness probe's 503, which terminus logs itself); a 500 or an Error is a fault", () => {
    expect(answer(new ServiceUnavailableException())).toEqual({ status: 503, errors: 0, warnings: 0 });
    expect(answer(new InternalServerErrorException())).toEqual({ status: 500, errors: 1, warnings: 0 });
    expect(answer(new Error('boom'))).toEqual({ status: 500, errors: 1, warnings: 0 });
  });
});
