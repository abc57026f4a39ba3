import nock from 'nock';
import { sign, type SignOptions } from 'jsonwebtoken';
import { AppError, VendorTransportError, ErrorCode, transportErrorCode } from '@external-tests/common';
import { fastVendorHttp, rejectionOf } from '../testing/vendor-test-kit';
import { MasteryTrackClient } from './mastery-track.client';

const BASE = 'http://mt.test';
const API_KEY = 'mt-secret-api-key-123';
const INTEGRATOR = 'integrator@platform.test';
const STUDENT = 'ada@school.test';
const ASSIGN_PATH = '/delivery/assignments/assign';
const BODY = { student_email: STUDENT, timeback_id: '_677eabc' };
const ASSIGNMENT = {
  id: 123,
  student_email: STUDENT,
  test_name: 'Math G3',
  status: 'ASSIGNED',
  test_url: 'http://mt.test/assignment/123',
};
const CREATED = { success: true, platform: 'Mastery Track', data: { assignment: ASSIGNMENT, message: 'ok' } };

const jwtFor = (sub: string, expiresIn: number | string = '1h') => sign({ sub }, 'k', { expiresIn } as SignOptions);

describe('MasteryTrackClient', () => {
  let client: MasteryTrackClient;

  /** One POST /authorizer (nock interceptors default to once) answering `jwt`, matching the contract's header and body. */
  const authorizer = (jwt: string) =>
    nock(BASE)
      .post('/authorizer', { email: INTEGRATOR })
      .matchHeader('x-api-key', API_KEY)
      .reply(200, { success: true, jwt });
  /** POST assign carrying exactly `X-Auth-Token: Bearer <jwt>` and never the API key. */
  const assignWith = (jwt: string) =>
    nock(BASE, { badheaders: ['x-api-key', 'authorization'] })
      .post(ASSIGN_PATH, BODY)
      .matchHeader('x-auth-token', `Bearer ${jwt}`);

  beforeAll(() => nock.disableNetConnect());
  beforeEach(() => {
    client = new MasteryTrackClient(fastVendorHttp('MasteryTrack', BASE), { apiKey: API_KEY, email: INTEGRATOR });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    nock.cleanAll();
  });
  // Gives http back as it was: this file's nock would otherwise stay patched into it for the next test file.
  afterAll(() => {
    nock.enableNetConnect();
    nock.restore();
  });

  describe('authorization', () => {
    it('authorizes once and reuses the cached JWT across assign calls', async () => {
      const jwt = jwtFor('a');
      const auth = authorizer(jwt);
      const assign = assignWith(jwt).times(3).reply(201, CREATED);

      for (let i = 0; i < 3; i++)
        await expect(client.assign(BODY)).resolves.toEqual({ assignment: ASSIGNMENT, existing: false });

      expect(auth.isDone()).toBe(true);
      expect(assign.isDone()).toBe(true);
    });

    it('refreshes a JWT that expires within 10 minutes on the next call', async () => {
      const short = jwtFor('short', 5 * 60);
      const fresh = jwtFor('fresh');
      const scope = authorizer(short);
      authorizer(fresh);
      assignWith(short).once().reply(201, CREATED);
      const second = assignWith(fresh).once().reply(201, CREATED);

      await client.assign(BODY);
      await client.assign(BODY);

      expect(scope.isDone()).toBe(true);
      expect(second.isDone()).toBe(true);
    });

    it('keeps a 1-hour JWT for 49 minutes and refreshes it after 50', async () => {
      const first = jwtFor('first');
      const second = jwtFor('second');
      const t0 = Date.now();
      authorizer(first);
      assignWith(first).twice().reply(201, CREATED);
      const refresh = authorizer(second);
      const afterRefresh = assignWith(second).once().reply(201, CREATED);
      const now = jest.spyOn(Date, 'now');

      await client.assign(BODY);
      now.mockReturnValue(t0 + 49 * 60_000);
      await client.assign(BODY);
      expect(refresh.isDone()).toBe(false);
      now.mockReturnValue(t0 + 51 * 60_000);
      await client.assign(BODY);

      expect(refresh.isDone()).toBe(true);
      expect(afterRefresh.isDone()).toBe(true);
    });

    it('shares one authorizer request between concurrent first calls', async () => {
      const jwt = jwtFor('shared');
      const auth = authorizer(jwt);
      const assign = assignWith(jwt).times(3).reply(201, CREATED);

      const outcomes = await Promise.all([client.assign(BODY), client.assign(BODY), client.assign(BODY)]);

      expect(outcomes.map((o) => o.assignment.id)).toEqual([123, 123, 123]);
      expect(auth.isDone()).toBe(true);
      expect(assign.isDone()).toBe(true);
    });

    it('re-authorizes once and retries once when assign answers 401', async () => {
      const stale = jwtFor('stale');
      const renewed = jwtFor('renewed');
      const auth1 = authorizer(stale);
      const auth2 = authorizer(renewed);
      const rejected = assignWith(stale)
        .once()
        .reply(401, { success: false, error: 'Invalid or expired JWT', code: 'UNAUTHORIZED' });
      const accepted = assignWith(renewed).once().reply(201, CREATED);

      await expect(client.assign(BODY)).resolves.toEqual({ assignment: ASSIGNMENT, existing: false });

      expect([auth1, auth2, rejected, accepted].every((s) => s.isDone())).toBe(true);
    });

    it('gives up with TOOL_BAD_RESPONSE when the fresh JWT is rejected too', async () => {
      const stale = jwtFor('stale');
      const renewed = jwtFor('renewed');
      authorizer(stale);
      const auth2 = authorizer(renewed);
      assignWith(stale).once().reply(401, { success: false, error: 'Invalid or expired JWT', code: 'UNAUTHORIZED' });
      const second = assignWith(renewed)
        .once()
        .reply(401, { success: false, error: 'Invalid or expired JWT', code: 'UNAUTHORIZED' });

      const err = await rejectionOf(client.assign(BODY), AppError);

      expect(err).toBeInstanceOf(AppError);
      expect(err.code).toBe(ErrorCode.ToolBadResponse);
      expect(auth2.isDone() && second.isDone()).toBe(true);
    });

    it('retries the authorizer after a 500', async () => {
      const jwt = jwtFor('after-retry');
      const failed = nock(BASE).post('/authorizer').reply(500, 'boom');
      const auth = authorizer(jwt);
      const assign = assignWith(jwt).reply(201, CREATED);

      await expect(client.assign(BODY)).resolves.toEqual({ assignment: ASSIGNMENT, existing: false });
      expect([failed, auth, assign].every((s) => s.isDone())).toBe(true);
    });

    it.each([
      [401, 'Invalid API key', 'UNAUTHORIZED'],
      [403, 'User not found or does not have API access', 'ACCESS_DENIED'],
    ])('maps an authorizer %i to TOOL_BAD_RESPONSE without leaking the API key', async (status, error, code) => {
      const scope = nock(BASE).post('/authorizer').once().reply(status, { success: false, error, code });

      const err = await rejectionOf(client.assign(BODY), AppError);

      expect(err).toBeInstanceOf(AppError);
      expect(err.code).toBe(ErrorCode.ToolBadResponse);
      expect(err.message).toContain(code);
      expect(err.message).not.toContain(API_KEY);
      expect(scope.isDone()).toBe(true);
    });
  });

  describe('assign outcomes', () => {
    const jwt = jwtFor('ok');
    beforeEach(() => authorizer(jwt));

    it('returns the created assignment on 201', async () => {
      assignWith(jwt).reply(201, CREATED);
      await expect(client.assign(BODY)).resolves.toEqual({ assignment: ASSIGNMENT, existing: false });
    });

    it('returns existing_assignment on 409 ASSIGNMENT_EXISTS (whose it is, the ledger decides)', async () => {
      const existing = {
        id: 77,
        student_email: STUDENT,
        test_name: 'Math G3',
        status: 'IN_PROGRESS',
        test_url: 'http://mt.test/assignment/77',
      };
      assignWith(jwt).reply(409, {
        success: false,
        error: 'exists',
        code: 'ASSIGNMENT_EXISTS',
        data: { existing_assignment: existing },
      });

      await expect(client.assign(BODY)).resolves.toEqual({
        assignment: existing,
        existing: true,
        afterUnknownAttempt: false,
      });
    });

    it('treats 409 ASSIGNMENT_EXISTS without existing_assignment as a bad response', async () => {
      assignWith(jwt).reply(409, { success: false, error: 'exists', code: 'ASSIGNMENT_EXISTS' });

      const err = await rejectionOf(client.assign(BODY), VendorTransportError);

      expect(err).toBeInstanceOf(VendorTransportError);
      expect(err.reason).toBe('bad_response');
    });

    it.each([
      [404, 'TEST_NOT_FOUND', 'Test not found with timeback_id: _677eabc'],
      [422, 'TEST_NOT_SUPPORTED', 'Test is not supported'],
      [400, 'MISSING_PARAMETER', 'student_email is required'],
    ])('maps %i %s to unprocessable carrying the vendor code and text', async (status, code, error) => {
      const scope = assignWith(jwt).once().reply(status, { success: false, error, code });

      const err = await rejectionOf(client.assign(BODY), AppError);

      expect(err).toBeInstanceOf(AppError);
      expect(err.code).toBe(ErrorCode.ToolRefused);
      expect(err.message).toContain(code);
      expect(err.message).toContain(error);
      expect(err.options.details?.[0]).toMatchObject({ vendorCode: code, vendorMessage: `${code} ${error}` });
      expect(scope.isDone()).toBe(true);
    });
  });

  describe('transport failures', () => {
    const jwt = jwtFor('ok');
    beforeEach(() => authorizer(jwt));

    it('retries a 500 and succeeds on the next 201', async () => {
      const failed = assignWith(jwt).once().reply(500, 'boom');
      const succeeded = assignWith(jwt).once().reply(201, CREATED);

      await expect(client.assign(BODY)).resolves.toEqual({ assignment: ASSIGNMENT, existing: false });
      expect(failed.isDone() && succeeded.isDone()).toBe(true);
    });

    it('gives up after 3 answers of 503 with server_error → TOOL_UNAVAILABLE (503)', async () => {
      const scope = assignWith(jwt).times(3).reply(503, 'down');

      const err = await rejectionOf(client.assign(BODY), VendorTransportError);

      expect(err).toBeInstanceOf(VendorTransportError);
      expect(err.reason).toBe('server_error');
      expect(err.options.status).toBe(503);
      expect(transportErrorCode(err)).toBe(ErrorCode.ToolUnavailable);
      expect(scope.isDone()).toBe(true);
    });

    it('retries 429 after its Retry-After and reports throttled → TOOL_UNAVAILABLE with that delay', async () => {
      const scope = assignWith(jwt).times(3).reply(429, { message: 'Too Many Requests' }, { 'Retry-After': '0.1' });

      const err = await rejectionOf(client.assign(BODY), VendorTransportError);

      expect(err).toBeInstanceOf(VendorTransportError);
      expect(err.reason).toBe('throttled');
      expect(transportErrorCode(err)).toBe(ErrorCode.ToolUnavailable);
      expect(err.options.retryAfterMs).toBe(100);
      expect(scope.isDone()).toBe(true);
    });

    // A Retry-After past the remaining budget ends the call at once (not a late 504).
    it('gives up within the deadline, as TOOL_UNAVAILABLE, when Retry-After exceeds it', async () => {
      assignWith(jwt).once().reply(429, { message: 'Too Many Requests' }, { 'Retry-After': '6' });
      const started = Date.now();

      const err = await rejectionOf(client.assign(BODY), VendorTransportError);

      expect(Date.now() - started).toBeLessThan(4_000);
      expect(err.reason).toBe('throttled');
      expect(transportErrorCode(err)).toBe(ErrorCode.ToolUnavailable);
      expect(err.options.retryAfterMs).toBe(6000);
    });

    it('turns a reply slower than the attempt timeout into TOOL_TIMEOUT (504)', async () => {
      const scope = assignWith(jwt).times(3).delay(1_500).reply(201, CREATED);

      const err = await rejectionOf(client.assign(BODY), VendorTransportError);

      expect(err).toBeInstanceOf(VendorTransportError);
      expect(err.reason).toBe('timeout');
      expect(transportErrorCode(err)).toBe(ErrorCode.ToolTimeout);
      expect(scope.isDone()).toBe(true);
    });

    it('turns a refused connection into unreachable → TOOL_UNAVAILABLE (503)', async () => {
      // A real refused connection (nothing listens on port 1): nock's simulated socket errors proved racy under load.
      nock.enableNetConnect('127.0.0.1:1');
      try {
        const offline = new MasteryTrackClient(fastVendorHttp('MasteryTrack', 'http://127.0.0.1:1'), {
          apiKey: API_KEY,
          email: INTEGRATOR,
        });

        const err = await rejectionOf(offline.assign(BODY), VendorTransportError);

        expect(err).toBeInstanceOf(VendorTransportError);
        expect(err.reason).toBe('unreachable');
        expect(transportErrorCode(err)).toBe(ErrorCode.ToolUnavailable);
      } finally {
        nock.disableNetConnect();
      }
    });

    it('does not follow a 302 redirect', async () => {
      assignWith(jwt)
        .once()
        .reply(302, '', { Location: `${BASE}/elsewhere` });
      const elsewhere = nock(BASE).get('/elsewhere').reply(200, CREATED).post('/elsewhere').reply(201, CREATED);

      const err = await rejectionOf(client.assign(BODY), VendorTransportError);

      expect(err).toBeInstanceOf(VendorTransportError);
      expect(err.reason).toBe('bad_response');
      expect(err.options.status).toBe(302);
      expect(elsewhere.pendingMocks()).toHaveLength(2);
    });
  });

  describe('invalidate', () => {
    const INVALIDATE = '/delivery/assignments/invalidate';

    it('sends the assignment id as the integer the guide types it as; 200 is true, 404 (not active) false', async () => {
      const jwt = jwtFor('i');
      authorizer(jwt);
      nock(BASE)
        .post(INVALIDATE, { student_email: STUDENT, assignment_id: 123 })
        .matchHeader('x-auth-token', `Bearer ${jwt}`)
        .reply(200, { success: true, data: { total_invalidated: 1 } })
        .post(INVALIDATE, { student_email: STUDENT, assignment_id: 124 })
        .reply(404, { success: false, error: 'No active assignments found for student' });

      await expect(client.invalidate({ student_email: STUDENT, assignment_id: '123' })).resolves.toBe(true);
      await expect(client.invalidate({ student_email: STUDENT, assignment_id: '124' })).resolves.toBe(false);
    });

    it('any other answer is a bad response of the tool', async () => {
      authorizer(jwtFor('j'));
      nock(BASE)
        .post(INVALIDATE)
        .reply(400, { success: false, error: 'assignment_id must be a valid positive number' });

      const err = await client.invalidate({ student_email: STUDENT, assignment_id: '1' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe(ErrorCode.ToolBadResponse);
    });
  });
});
