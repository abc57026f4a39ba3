import nock from 'nock';
import { fastVendorHttp, rejectionOf } from './testing/vendor-test-kit';

describe('scratch', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  it.each([['429', 429], ['503', 503]])('retry-after beyond deadline %s', async (_, status) => {
    const http = fastVendorHttp('T', 'http://x.test');
    nock('http://x.test').get('/a').reply(status, '', { 'Retry-After': '3' });
    const t = Date.now();
    const err = await rejectionOf(http.request({ method: 'GET', path: '/a', retry: true }));
    console.log(status, Date.now() - t, err.reason, err.message, err.toAppError().kind, nock.pendingMocks());
  });
});
