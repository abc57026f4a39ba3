import request from 'supertest';
import {
  DEFAULT_MASTERY_TRACK_TESTS,
  startMasteryTrackSandbox,
  type MasteryTrackSandbox,
} from '@external-tests/sandbox';
import { waitFor } from '../helpers/wait-for';
import { FakeOneRoster } from './fake-oneroster';

const API_KEY = 'mt-test-key';
const INTEGRATOR = 'integrator@platform.test';
const STUDENT = 'ada@school.test';

const math3 = DEFAULT_MASTERY_TRACK_TESTS.find(
  (t) => t.subject === 'Math' && t.grade_rank === 3 && t.supported !== false,
)!;
const math3Forms = DEFAULT_MASTERY_TRACK_TESTS.filter((t) => t.subject === 'Math' && t.grade_rank === 3);
const unsupported = DEFAULT_MASTERY_TRACK_TESTS.find((t) => t.supported === false)!;

describe('MasteryTrack sandbox', () => {
  const oneRoster = new FakeOneRoster();
  let mt: MasteryTrackSandbox;
  let jwt: string;

  const api = () => request(mt.url);
  const authed = (method: 'get' | 'post', path: string) => api()[method](path).set('X-Auth-Token', `Bearer ${jwt}`);
  const assign = (body: object) => authed('post', '/delivery/assignments/assign').send(body);

  beforeAll(async () => {
    await oneRoster.start();
    mt = await startMasteryTrackSandbox({
      apiKey: API_KEY,
      integratorEmails: ['first@platform.test', INTEGRATOR],
      writeBack: {
        oneRosterBaseUrl: `${oneRoster.url}/`,
        tokenUrl: `${oneRoster.url}/oauth2/token`,
        clientId: 'mt-client',
        clientSecret: 'mt-secret',
        scope: 'gradebook.write',
      },
    });
    const res = await api().post('/authorizer').set('x-api-key', API_KEY).send({ email: INTEGRATOR });
    jwt = res.body.jwt;
  });

  afterEach(() => {
    mt.reset();
    oneRoster.clear();
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await mt.close();
    await oneRoster.stop();
  });

  describe('POST /authorizer', () => {
    it('issues a JWT for a registered integrator', async () => {
      const res = await api().post('/authorizer').set('x-api-key', API_KEY).send({ email: INTEGRATOR });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true, jwt: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) });
    });

    it.each([
      ['a wrong API key', 'nope', { email: INTEGRATOR }, 401, 'Invalid API key', 'UNAUTHORIZED'],
      ['no email', API_KEY, {}, 400, 'Email is required', 'MISSING_PARAMETER'],
      [
        'an unknown email',
        API_KEY,
        { email: 'x@y.test' },
        403,
        'User not found or does not have API access',
        'ACCESS_DENIED',
      ],
    ])('rejects %s', async (_case, key, body, status, error, code) => {
      const res = await api().post('/authorizer').set('x-api-key', key).send(body);
      expect(res.status).toBe(status);
      expect(res.body).toEqual({ success: false, error, code });
    });
  });

  describe('X-Auth-Token', () => {
    const unauthorized = { success: false, error: 'Invalid or expired JWT', code: 'UNAUTHORIZED' };

    it.each([
      ['missing', undefined],
      ['without Bearer', () => jwt],
      ['forged', () => 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'],
    ])('answers 401 when the token is %s', async (_case, header) => {
      const req = api().get('/authoring/inventory/search');
      const res = await (header ? req.set('X-Auth-Token', header()) : req);
      expect(res.status).toBe(401);
      expect(res.body).toEqual(unauthorized);
    });

    it('answers 401 once the token is older than 3600 s', async () => {
      const now = Date.now();
      jest.spyOn(Date, 'now').mockReturnValue(now + 3601 * 1000);
      const res = await authed('post', '/delivery/assignments/invalidate').send({ student_email: STUDENT });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(unauthorized);
    });
  });

  describe('GET /authoring/inventory/search', () => {
    it('lists only supported tests, sorted by subject and grade', async () => {
      const res = await authed('get', '/authoring/inventory/search');
      expect(res.status).toBe(200);
      expect(res.body.success).toBe(true);
      expect(res.body.data).toHaveLength(DEFAULT_MASTERY_TRACK_TESTS.filter((t) => t.supported !== false).length);
      expect(res.body.data.every((t: { supported: boolean }) => t.supported)).toBe(true);
      expect(res.body.data[0]).toMatchObject({
        subject: 'Math',
        grade: 'Third Grade',
        grade_rank: 3,
        version: 1,
        active: true,
        invalidated_on: null,
        timeback_id: expect.stringMatching(/^_[0-9a-f]{24}$/),
        metadata: { url: `${mt.url}/tests/${math3.timeback_id}`, type: 'qti' },
      });
    });

    it('filters case-insensitively by subject and grade (name or number); all=true adds unsupported', async () => {
      const byName = await authed('get', '/authoring/inventory/search?subject=MATH&grade=third%20grade&all=true');
      expect(byName.body.data.map((t: { timeback_id: string }) => t.timeback_id).sort()).toEqual(
        math3Forms.map((t) => t.timeback_id).sort(),
      );
      expect(math3Forms.map((t) => t.timeback_id)).toContain(unsupported.timeback_id);
      const byNumber = await authed('get', '/authoring/inventory/search?subject=math&grade=3');
      expect(byNumber.body.data).toHaveLength(math3Forms.length - 1);
    });

    it('rejects an invalid grade with details', async () => {
      const res = await authed('get', '/authoring/inventory/search?grade=K');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        success: false,
        error: 'Invalid search parameters',
        code: 'INVALID_PARAMETERS',
        details: { grade: 'Invalid grade format' },
      });
    });
  });

  describe('POST /delivery/assignments/assign', () => {
    it('answers 201 with the documented envelope', async () => {
      const before = Date.now();
      const res = await assign({ student_email: STUDENT, timeback_id: math3.timeback_id });
      expect(res.status).toBe(201);
      const assignment = res.body.data.assignment;
      expect(res.body).toEqual({
        success: true,
        platform: 'Mastery Track',
        data: {
          assignment: {
            id: expect.any(Number),
            student_email: STUDENT,
            test_name: math3.name,
            assigned_by: 2,
            test_url: `${mt.url}/assignment/${assignment.id}`,
            status: 'ASSIGNED',
            expires_at: expect.any(String),
            metadata: expect.objectContaining({ url: `${mt.url}/tests/${math3.timeback_id}` }),
            created_at: expect.any(String),
          },
          message: `Test successfully assigned to ${STUDENT}`,
        },
      });
      const days = (Date.parse(assignment.expires_at) - Date.parse(assignment.created_at)) / 86_400_000;
      expect(days).toBe(30);
      expect(Date.parse(assignment.created_at)).toBeGreaterThanOrEqual(before - 1000);
    });

    it('answers 409 ASSIGNMENT_EXISTS with the active assignment on a repeat', async () => {
      const first = await assign({ student_email: STUDENT, timeback_id: math3.timeback_id });
      const again = await assign({ student_email: STUDENT.toUpperCase(), timeback_id: math3.timeback_id });
      expect(again.status).toBe(409);
      const a = first.body.data.assignment;
      expect(again.body).toEqual({
        success: false,
        error: 'Assignment already exists',
        code: 'ASSIGNMENT_EXISTS',
        data: {
          existing_assignment: {
            id: a.id,
            student_email: STUDENT,
            test_name: math3.name,
            status: 'ASSIGNED',
            test_url: a.test_url,
          },
        },
      });
    });

    it('gives incrementing integer ids', async () => {
      const a = await assign({ student_email: 'a@school.test', timeback_id: math3.timeback_id });
      const b = await assign({ student_email: 'b@school.test', timeback_id: math3.timeback_id });
      expect(b.body.data.assignment.id).toBe(a.body.data.assignment.id + 1);
    });

    it.each([
      [{}, 400, 'student_email is required', 'MISSING_PARAMETER'],
      [
        { student_email: STUDENT, timeback_id: '_000000000000000000000000' },
        404,
        'Test not found with timeback_id: _000000000000000000000000',
        'TEST_NOT_FOUND',
      ],
      [
        { student_email: STUDENT, timeback_id: unsupported.timeback_id },
        422,
        'The requested test is not yet supported by the system',
        'TEST_NOT_SUPPORTED',
      ],
      [
        { student_email: 'not-an-email', timeback_id: math3.timeback_id },
        404,
        'User with email not-an-email not found',
        'USER_NOT_FOUND',
      ],
    ])('rejects %j', async (body, status, error, code) => {
      const res = await assign(body);
      expect(res.status).toBe(status);
      expect(res.body).toEqual({ success: false, error, code });
    });

    it('picks the first untaken test for subject + grade_rank, the next form once it is taken, then 404 once all are', async () => {
      const forms = math3Forms.filter((t) => t.supported !== false).sort((a, b) => a.name.localeCompare(b.name));
      for (const form of forms) {
        const res = await assign({ student_email: STUDENT, subject: 'math', grade_rank: 3 });
        expect(res.status).toBe(201);
        expect(res.body.data.assignment.test_name).toBe(form.name);
        await api()
          .post(`/__sandbox/assignments/${res.body.data.assignment.id}/complete`)
          .send({ score: 90 })
          .expect(200);
      }
      expect(forms[0]).toBe(math3);
      const next = await assign({ student_email: STUDENT, subject: 'Math', grade_rank: 3 });
      expect(next.status).toBe(404);
      expect(next.body.code).toBe('TEST_NOT_FOUND');
      expect(next.body.error).toContain('subject: Math, grade_rank: 3');
    });

    it('places by subject alone at the lowest grade', async () => {
      const res = await assign({ student_email: STUDENT, subject: 'Science' });
      expect(res.status).toBe(201);
      expect(res.body.data.assignment.test_name).toBe('Alpha Standardized Science G3.1');
    });
  });

  describe('POST /delivery/assignments/invalidate', () => {
    it('invalidates an active assignment, which can then be assigned again', async () => {
      const created = await assign({ student_email: STUDENT, timeback_id: math3.timeback_id });
      const id = created.body.data.assignment.id;
      const res = await authed('post', '/delivery/assignments/invalidate').send({
        student_email: STUDENT,
        assignment_id: id,
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        success: true,
        data: {
          message: 'Assignment(s) invalidated successfully.',
          total_invalidated: 1,
          invalidated_assignments: [{ assignment_id: id, student_email: STUDENT }],
        },
      });
      const again = await authed('post', '/delivery/assignments/invalidate').send({
        student_email: STUDENT,
        assignment_id: id,
      });
      expect(again.status).toBe(404);
      expect(again.body).toEqual({
        success: false,
        error: `No active assignments found for student ${STUDENT} with criteria: assignment_id: ${id}`,
      });
      expect((await assign({ student_email: STUDENT, timeback_id: math3.timeback_id })).status).toBe(201);
    });

    it('omits code on its errors', async () => {
      const res = await authed('post', '/delivery/assignments/invalidate').send({});
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ success: false, error: 'student_email is required' });
    });
  });

  describe('write-back', () => {
    const sourcedIds = { assessment_line_item_sourced_id: 'ali-1', assessment_result_sourced_id: 'ar-1' };
    const assignWithWriteBack = async () => {
      const res = await assign({ student_email: STUDENT, timeback_id: math3.timeback_id, ...sourcedIds });
      return res.body.data.assignment.id as number;
    };

    it('completes, fetches a client-credentials token and PUTs the AssessmentResult', async () => {
      const id = await assignWithWriteBack();
      const res = await api()
        .post(`/__sandbox/assignments/${id}/complete`)
        .send({ score: 85, totalQuestions: 20, correctQuestions: 17, studentSourcedId: 'stu-1' });
      expect(res.status).toBe(200);
      expect(res.body.data.assignment).toMatchObject({ id, status: 'COMPLETED' });
      expect(res.body.data.writeBack).toEqual({ status: 200, body: { ok: true } });

      const [token, put] = oneRoster.received;
      expect(token.method).toBe('POST');
      expect(token.url).toBe('/oauth2/token');
      expect(token.headers.authorization).toBe(`Basic ${Buffer.from('mt-client:mt-secret').toString('base64')}`);
      expect(Object.fromEntries(new URLSearchParams(token.body))).toEqual({
        grant_type: 'client_credentials',
        scope: 'gradebook.write',
      });
      expect(put.url).toBe('/ims/oneroster/gradebook/v1p2/assessmentResults/ar-1');
      expect(put.headers.authorization).toBe('Bearer or-token');
      expect(JSON.parse(put.body)).toEqual({
        assessmentResult: {
          sourcedId: 'ar-1',
          status: 'active',
          assessmentLineItem: { sourcedId: 'ali-1' },
          student: { sourcedId: 'stu-1' },
          score: 85,
          scoreDate: expect.any(String),
          scoreStatus: 'fully graded',
          metadata: expect.objectContaining({ masteryTrackProcessed: true, totalQuestions: 20, correctQuestions: 17 }),
        },
      });
    });

    it('requires studentSourcedId when it writes back', async () => {
      const id = await assignWithWriteBack();
      const res = await api().post(`/__sandbox/assignments/${id}/complete`).send({ score: 85 });
      expect(res.status).toBe(400);
      expect(res.body.success).toBe(false);
      expect(oneRoster.received).toHaveLength(0);
    });

    it('reports a failing PUT and redelivers with overrides', async () => {
      const id = await assignWithWriteBack();
      oneRoster.putStatus = 500;
      const failed = await api()
        .post(`/__sandbox/assignments/${id}/complete`)
        .send({ score: 70, studentSourcedId: 'stu-1' });
      expect(failed.status).toBe(200);
      expect(failed.body.data.writeBack).toEqual({ status: 500, body: { imsx_codeMajor: 'failure' } });

      oneRoster.putStatus = 200;
      const redelivered = await api()
        .post(`/__sandbox/assignments/${id}/redeliver`)
        .send({ scoreStatus: 'partially graded', metadata: { late: true } });
      expect(redelivered.body.data.writeBack.status).toBe(200);
      const [first, second] = oneRoster.puts().map((p) => JSON.parse(p.body).assessmentResult);
      expect(second).toEqual({
        ...first,
        scoreStatus: 'partially graded',
        metadata: { ...first.metadata, late: true },
      });
      expect(first.metadata.correctQuestions).toBe(14);
    });

    it('lists assignments with their status and sourcedIds', async () => {
      const id = await assignWithWriteBack();
      const res = await api().get('/__sandbox/assignments');
      expect(res.body.data).toEqual([
        expect.objectContaining({
          id,
          status: 'ASSIGNED',
          assessment_line_item_sourced_id: 'ali-1',
          assessment_result_sourced_id: 'ar-1',
        }),
      ]);
    });
  });

  describe('faults, latency and the call log', () => {
    it('answers a queued fault once, in MasteryTrack format, then the real handler', async () => {
      await api().post('/__sandbox/faults').send({ path: '/delivery/assignments/assign', status: 503 }).expect(201);
      const faulted = await assign({ student_email: STUDENT, timeback_id: math3.timeback_id });
      expect(faulted.status).toBe(503);
      expect(faulted.body).toEqual({ success: false, error: 'Internal server error', code: 'INTERNAL_ERROR' });
      expect((await assign({ student_email: STUDENT, timeback_id: math3.timeback_id })).status).toBe(201);
    });

    it('matches prefixes and methods, honours times and custom bodies, and can be cleared', async () => {
      await api()
        .post('/__sandbox/faults')
        .send({ method: 'GET', path: '/authoring/*', status: 429, body: { message: 'Too Many Requests' }, times: 2 });
      for (let i = 0; i < 2; i++) {
        const res = await authed('get', '/authoring/inventory/search');
        expect(res.status).toBe(429);
        expect(res.body).toEqual({ message: 'Too Many Requests' });
      }
      expect((await authed('get', '/authoring/inventory/search')).status).toBe(200);
      await api().post('/__sandbox/faults').send({ path: '/authoring/*', status: 500 });
      expect((await api().delete('/__sandbox/faults')).body).toEqual({ cleared: 1 });
      expect((await authed('get', '/authoring/inventory/search')).status).toBe(200);
    });

    it('answers an injected 401 like an expired JWT by default', async () => {
      await api().post('/__sandbox/faults').send({ path: '/delivery/*', status: 401 });
      const res = await assign({ student_email: STUDENT, timeback_id: math3.timeback_id });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ success: false, error: 'Invalid or expired JWT', code: 'UNAUTHORIZED' });
    });

    it('drops the connection without answering', async () => {
      await api().post('/__sandbox/faults').send({ path: '/authorizer', drop: true });
      await expect(api().post('/authorizer').set('x-api-key', API_KEY).send({ email: INTEGRATOR })).rejects.toThrow();
    });

    it('adds ?delayMs=, runtime latency and fault delays, but never to control routes', async () => {
      let started = Date.now();
      await authed('get', '/authoring/inventory/search?delayMs=300').expect(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);

      await api().post('/__sandbox/latency').send({ ms: 300 }).expect(200, { latencyMs: 300 });
      started = Date.now();
      await api().get('/__sandbox/calls').expect(200);
      expect(Date.now() - started).toBeLessThan(290);
      started = Date.now();
      await authed('get', '/authoring/inventory/search').expect(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);

      await api().post('/__sandbox/latency').send({ ms: 0 }).expect(200);
      await api().post('/__sandbox/faults').send({ path: '/authoring/inventory/search', delayMs: 300 }).expect(201);
      started = Date.now();
      await authed('get', '/authoring/inventory/search').expect(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    });

    it('does the work at once under runtime latency and holds only the answer; a fault delay stalls the work', async () => {
      const assignments = async () => (await api().get('/__sandbox/assignments')).body.data as unknown[];
      // The assign calls only (a first run of this test alone also fetches its token).
      const calls = async () =>
        ((await api().get('/__sandbox/calls')).body.calls as { path: string; status: number; ms?: number }[]).filter(
          (c) => c.path === '/delivery/assignments/assign',
        );

      await api().post('/__sandbox/latency').send({ ms: 1_000 }).expect(200);
      const started = performance.now();
      const answered = assign({ student_email: STUDENT, timeback_id: math3.timeback_id }).then((res) => res);
      // Within the latency the tool has made the assignment, and the caller has heard nothing yet.
      await waitFor(async () => (await assignments()).length === 1, 'the assignment made');
      expect(await calls()).toEqual([{ method: 'POST', path: '/delivery/assignments/assign', status: 0 }]);
      expect((await answered).status).toBe(201);
      expect(performance.now() - started).toBeGreaterThanOrEqual(990);
      const [call] = await calls();
      expect(call.ms).toBeGreaterThanOrEqual(990);

      await api().post('/__sandbox/latency').send({ ms: 0 }).expect(200);
      await api().post('/__sandbox/faults').send({ path: '/delivery/assignments/assign', delayMs: 1_000 }).expect(201);
      const stalled = assign({ student_email: 'other@example.org', timeback_id: math3.timeback_id }).then((res) => res);
      // The call has arrived, and the tool has not made its assignment yet.
      await waitFor(async () => (await calls()).length === 2, 'the second call arrived');
      expect(await assignments()).toHaveLength(1);
      expect((await stalled).status).toBe(201);
      expect(await assignments()).toHaveLength(2);
    });

    it('records every non-control call and forgets them on reset', async () => {
      await assign({ student_email: STUDENT, timeback_id: math3.timeback_id });
      await api().get('/nowhere');
      const calls = await api().get('/__sandbox/calls');
      expect(calls.body).toEqual({
        calls: [
          { method: 'POST', path: '/delivery/assignments/assign', status: 201, ms: expect.any(Number) },
          { method: 'GET', path: '/nowhere', status: 404, ms: expect.any(Number) },
        ],
      });
      await api().post('/__sandbox/reset').expect(200);
      expect((await api().get('/__sandbox/calls')).body).toEqual({ calls: [] });
      expect((await api().get('/__sandbox/assignments')).body.data).toEqual([]);
    });

    it('rejects an invalid fault spec', async () => {
      const res = await api().post('/__sandbox/faults').send({ status: 500 });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        success: false,
        error: 'path is required and must start with /',
        code: 'INVALID_PARAMETERS',
      });
    });
  });

  describe('unknown routes and bad bodies', () => {
    it('answers 404 in MasteryTrack format', async () => {
      const res = await api().get('/prod/unknown');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ success: false, error: 'Route not found: GET /prod/unknown', code: 'NOT_FOUND' });
    });

    it('answers 400 for malformed JSON and 413 above 1 MB', async () => {
      const malformed = await api().post('/authorizer').set('content-type', 'application/json').send('{"email":');
      expect(malformed.status).toBe(400);
      expect(malformed.body.success).toBe(false);
      const huge = await api()
        .post('/authorizer')
        .set('content-type', 'application/json')
        .send(JSON.stringify({ email: 'x'.repeat(1024 * 1024 + 1) }));
      expect(huge.status).toBe(413);
      expect(huge.body.success).toBe(false);
    });
  });
});
