import nock from 'nock';
import { AppError, VendorTransportError, ErrorCode } from '@external-tests/common';
import { fastVendorHttp, rejectionOf } from '../testing/vendor-test-kit';
import { EdulasticClient } from './edulastic.client';

const BASE = 'http://edu.test/api';
const HOST = 'http://edu.test';
const ACCOUNT = { username: 'teacher@platform.test', password: 'teacher-pass' };
const oid = (n: number) => n.toString(16).padStart(24, '0');
const TEACHER = oid(1);
const CLASS = oid(2);
const STUDENT = oid(3);
const ASSIGNMENT = oid(4);
const TEST = oid(5);
const OTHER = oid(9);

const login = (token: string) => ({
  result: { token, _id: TEACHER, role: 'teacher', districtIds: [oid(10)], institutionIds: [oid(11)] },
});
const ASSIGN_BODY = { assignments: [{ testId: TEST }], filters: { groups: [CLASS] } };
const ENROL_BODY = { classCode: 'ABC123', role: 'student', email: 'ada@school.test' };

describe('EdulasticClient', () => {
  let client: EdulasticClient;

  /** One teacher login with the account's credentials, answering `token`. */
  const teacherLogin = (token: string) => nock(HOST).post('/api/auth/login', ACCOUNT).reply(200, login(token));
  /** Calls that must carry the raw token in Authorization (a "Bearer tok" value does not match). */
  const api = (token: string) => nock(HOST).matchHeader('authorization', token);

  beforeAll(() => nock.disableNetConnect());
  beforeEach(() => {
    client = new EdulasticClient(fastVendorHttp('Edulastic', BASE), ACCOUNT);
  });
  afterEach(() => nock.cleanAll());
  // Gives http back as it was: this file's nock would otherwise stay patched into it for the next test file.
  afterAll(() => {
    nock.enableNetConnect();
    nock.restore();
  });

  describe('teacher session', () => {
    it('logs in once and sends the raw token on every call', async () => {
      const auth = teacherLogin('tok-1');
      const calls = api('tok-1')
        .post('/api/group')
        .reply(200, { result: { _id: CLASS, code: 'ABC123' } })
        .post('/api/enrollment/user', ENROL_BODY)
        .reply(200, { result: { userId: STUDENT } })
        .post('/api/assignments/v2/assign', ASSIGN_BODY)
        .reply(200, { assignments: [{ _id: ASSIGNMENT, testId: TEST, class: [{ _id: CLASS }] }] });

      await expect(client.createClass({ name: 'Lesson' })).resolves.toEqual({ _id: CLASS, code: 'ABC123' });
      await expect(client.enrolNewStudent(ENROL_BODY)).resolves.toEqual({ userId: STUDENT, existing: false });
      await expect(client.assign(ASSIGN_BODY, { testId: TEST, classId: CLASS, studentId: STUDENT })).resolves.toEqual({
        assignmentId: ASSIGNMENT,
        existing: false,
      });

      expect(auth.isDone()).toBe(true);
      expect(calls.isDone()).toBe(true);
    });

    it('shares one login between concurrent first calls', async () => {
      const auth = teacherLogin('tok-1');
      const calls = api('tok-1')
        .post('/api/enrollment/user')
        .times(3)
        .reply(200, { result: { userId: STUDENT } });

      const results = await Promise.all([1, 2, 3].map(() => client.enrolNewStudent(ENROL_BODY)));

      expect(results.map((r) => r.userId)).toEqual([STUDENT, STUDENT, STUDENT]);
      expect(auth.isDone() && calls.isDone()).toBe(true);
    });

    it('logs in again once and retries the call after a 401', async () => {
      const first = teacherLogin('tok-1');
      const second = teacherLogin('tok-2');
      const rejected = api('tok-1').post('/api/enrollment/user').reply(401, { message: 'Unauthorized' });
      const accepted = api('tok-2')
        .post('/api/enrollment/user')
        .reply(200, { result: { userId: STUDENT } });

      await expect(client.enrolNewStudent(ENROL_BODY)).resolves.toEqual({ userId: STUDENT, existing: false });
      expect([first, second, rejected, accepted].every((s) => s.isDone())).toBe(true);
    });

    it('maps a refused teacher login to vendor_bad_gateway', async () => {
      nock(HOST).post('/api/auth/login').reply(401, { message: 'Invalid username or password' });

      const err = await rejectionOf(client.teacher(), AppError);

      expect(err).toBeInstanceOf(AppError);
      expect(err.code).toBe(ErrorCode.ToolBadResponse);
      expect(err.message).toContain('Invalid username or password');
      expect(err.message).not.toContain(ACCOUNT.password);
    });
  });

  describe('calls', () => {
    beforeEach(() => teacherLogin('tok'));

    it('returns the existing userId when enrolment answers 409', async () => {
      api('tok')
        .post('/api/enrollment/user')
        .reply(409, { message: 'User already exists', result: { userId: STUDENT } });
      await expect(client.enrolNewStudent(ENROL_BODY)).resolves.toEqual({ userId: STUDENT, existing: true });
    });

    it('maps assign 404 to unprocessable mentioning "Test not found"', async () => {
      api('tok').post('/api/assignments/v2/assign').reply(404, { message: 'Test not found' });

      const err = await rejectionOf(
        client.assign(ASSIGN_BODY, { testId: TEST, classId: CLASS, studentId: STUDENT }),
        AppError,
      );

      expect(err).toBeInstanceOf(AppError);
      expect(err.code).toBe(ErrorCode.ToolRefused);
      expect(err.message).toContain('Test not found');
      expect(err.message).toContain(TEST);
    });

    it('adopts the listed assignment covering this class and student after a 409', async () => {
      const scope = api('tok')
        .post('/api/assignments/v2/assign')
        .reply(409, { message: 'Assignment already exists', commonStudents: [STUDENT] })
        .get(`/api/assignments/test/${TEST}`)
        .reply(200, {
          result: [
            { _id: oid(20), class: [{ _id: OTHER }], students: [STUDENT] },
            { _id: oid(21), class: [{ _id: CLASS }], students: [OTHER] },
            { _id: ASSIGNMENT, class: [{ _id: CLASS }], students: [OTHER, STUDENT] },
          ],
        });

      await expect(client.assign(ASSIGN_BODY, { testId: TEST, classId: CLASS, studentId: STUDENT })).resolves.toEqual({
        assignmentId: ASSIGNMENT,
        existing: true,
      });
      expect(scope.isDone()).toBe(true);
    });

    it('answers vendor_bad_gateway when a 409 assignment is not listed', async () => {
      const scope = api('tok')
        .post('/api/assignments/v2/assign')
        .reply(409, { message: 'Assignment already exists' })
        .get(`/api/assignments/test/${TEST}`)
        .reply(200, { result: [{ _id: oid(20), class: [{ _id: OTHER }], students: [STUDENT] }] });

      const err = await rejectionOf(
        client.assign(ASSIGN_BODY, { testId: TEST, classId: CLASS, studentId: STUDENT }),
        AppError,
      );

      expect(err).toBeInstanceOf(AppError);
      expect(err.code).toBe(ErrorCode.ToolBadResponse);
      expect(scope.isDone()).toBe(true);
    });

    it('returns a well-formed test activity', async () => {
      const activity = {
        students: [{ _id: STUDENT, email: 'ada@school.test' }],
        testActivities: [],
        testQuestionActivities: [],
      };
      api('tok')
        .post(`/api/assignments/${ASSIGNMENT}/classes/${CLASS}/test-activity`, { page: 0, leftOverStudents: [] })
        .reply(200, activity);

      await expect(client.testActivity(ASSIGNMENT, CLASS, { userId: STUDENT })).resolves.toEqual(activity);
    });

    it.each([
      ['its user id', { userId: 'u45' }],
      ['its email (an assignment recorded before the user id)', { email: 'U45@school.test' }],
    ])('reads the one later page that holds a student past the first page, found by %s', async (_, student) => {
      const ids = Array.from({ length: 100 }, (_, i) => `u${i}`);
      const activity45 = { _id: 'a45', userId: 'u45', status: 1, graded: 'GRADED', score: 1, maxScore: 1 };
      api('tok')
        .post(`/api/assignments/${ASSIGNMENT}/classes/${CLASS}/test-activity`, { page: 0, leftOverStudents: [] })
        .reply(200, {
          students: ids.map((id) => ({ _id: id, email: `${id}@school.test` })),
          testActivities: [],
          testQuestionActivities: [],
          leftOverStudents: ids.slice(30),
        });
      // u45 is the 16th left over: the first batch of 40 (page 1), asked for as Edulastic's teacher app does.
      api('tok')
        .post(`/api/assignments/${ASSIGNMENT}/classes/${CLASS}/test-activity`, {
          page: 1,
          leftOverStudents: ids.slice(30, 70),
        })
        .reply(200, { students: [], testActivities: [activity45], testQuestionActivities: [] });

      const read = await client.testActivity(ASSIGNMENT, CLASS, student);

      expect(read.testActivities).toEqual([activity45]);
      expect(read.students).toHaveLength(100);
      expect(nock.isDone()).toBe(true);
    });

    it('asks for no later page when the student is on the first (or not in the class)', async () => {
      const scope = api('tok')
        .post(`/api/assignments/${ASSIGNMENT}/classes/${CLASS}/test-activity`, { page: 0, leftOverStudents: [] })
        .twice()
        .reply(200, { students: [], testActivities: [], testQuestionActivities: [], leftOverStudents: ['u9'] });

      await client.testActivity(ASSIGNMENT, CLASS, { userId: 'u1' });
      await client.testActivity(ASSIGNMENT, CLASS, { email: 'nobody@school.test' });

      expect(scope.isDone()).toBe(true);
    });

    it('rejects leftOverStudents that is not a list of user ids as bad_response', async () => {
      api('tok')
        .post(`/api/assignments/${ASSIGNMENT}/classes/${CLASS}/test-activity`)
        .reply(200, { students: [], testActivities: [], testQuestionActivities: [], leftOverStudents: 3 });

      const err = await rejectionOf(client.testActivity(ASSIGNMENT, CLASS, { userId: STUDENT }), VendorTransportError);

      expect(err.reason).toBe('bad_response');
    });

    it.each(['students', 'testActivities', 'testQuestionActivities'])(
      'rejects a test activity without %s as bad_response',
      async (missing) => {
        const activity: Record<string, unknown> = { students: [], testActivities: [], testQuestionActivities: [] };
        delete activity[missing];
        api('tok').post(`/api/assignments/${ASSIGNMENT}/classes/${CLASS}/test-activity`).reply(200, activity);

        const err = await rejectionOf(
          client.testActivity(ASSIGNMENT, CLASS, { userId: STUDENT }),
          VendorTransportError,
        );

        expect(err).toBeInstanceOf(VendorTransportError);
        expect(err.reason).toBe('bad_response');
      },
    );

    it('does not retry createClass on 500 (exactly one request)', async () => {
      const scope = api('tok')
        .post('/api/group')
        .reply(500, 'boom')
        .post('/api/group')
        .reply(200, { result: { _id: CLASS, code: 'ABC123' } });

      const err = await rejectionOf(client.createClass({ name: 'Lesson' }), VendorTransportError);

      expect(err).toBeInstanceOf(VendorTransportError);
      expect(err.reason).toBe('server_error');
      expect(scope.pendingMocks()).toHaveLength(1); // the 200 was never requested
    });

    it('retries enrolNewStudent after a 500', async () => {
      const scope = api('tok')
        .post('/api/enrollment/user')
        .reply(500, 'boom')
        .post('/api/enrollment/user')
        .reply(200, { result: { userId: STUDENT } });

      await expect(client.enrolNewStudent(ENROL_BODY)).resolves.toEqual({ userId: STUDENT, existing: false });
      expect(scope.isDone()).toBe(true);
    });
  });
});
