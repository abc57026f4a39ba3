import request from 'supertest';
import { DEFAULT_EDULASTIC_TESTS, startEdulasticSandbox, type EdulasticSandbox } from '@external-tests/sandbox';

const TEACHER = { username: 'service@platform.test', password: 'teacher-pass-123' };
const OTHER_TEACHER = { username: 'other@platform.test', password: 'other-pass-123' };
const STUDENT_EMAIL = 'grace@school.test';
const STUDENT_PASSWORD = 'student-pass-0123456789';
const checkpoint = DEFAULT_EDULASTIC_TESTS[0];

interface Teacher {
  token: string;
  _id: string;
  districtId: string;
  schoolId: string;
}

describe('Edulastic sandbox', () => {
  let edu: EdulasticSandbox;
  let teacher: Teacher;

  const api = () => request(`${edu.url}/api`);
  const as = (token: string, method: 'get' | 'post' | 'put', path: string) =>
    api()[method](path).set('Authorization', token);
  const control = (path: string) => request(edu.url).post(`/api/__sandbox${path}`);

  async function login(account: { username: string; password: string }): Promise<Teacher> {
    const res = await api().post('/auth/login').send(account).expect(200);
    const r = res.body.result;
    return { token: r.token, _id: r._id, districtId: r.districtIds[0], schoolId: r.institutionIds[0] };
  }

  async function createClass(t: Teacher = teacher): Promise<{ _id: string; code: string }> {
    const res = await as(t.token, 'post', '/group').send({
      name: 'Lesson 1',
      type: 'class',
      districtId: t.districtId,
      institutionId: t.schoolId,
      owners: [t._id],
      subject: 'Math',
      grades: ['3'],
      startDate: Date.now(),
      endDate: Date.now() + 86_400_000,
    });
    expect(res.status).toBe(200);
    return res.body.result;
  }

  async function enrol(classCode: string, email = STUDENT_EMAIL): Promise<string> {
    const res = await as(teacher.token, 'post', '/enrollment/user').send({
      classCode,
      role: 'student',
      email,
      username: email,
      password: STUDENT_PASSWORD,
      firstName: 'Grace',
      lastName: 'Hopper',
      districtId: teacher.districtId,
      institutionIds: [teacher.schoolId],
    });
    expect(res.status).toBe(200);
    return res.body.result.userId;
  }

  const assignBody = (classId: string, studentId: string, testId = checkpoint.id) => ({
    assignments: [
      {
        testId,
        startDate: Date.now(),
        endDate: Date.now() + 7 * 86_400_000,
        openPolicy: 'Automatically on Start Date',
        closePolicy: 'Automatically on Due Date',
        testType: 'assessment',
        maxAttempts: 1,
        releaseScore: 'DONT_RELEASE',
        assignedBy: { _id: teacher._id },
      },
    ],
    filters: { groups: [classId], students: [{ groupId: classId, studentsToAssign: [studentId] }] },
  });

  async function assigned(): Promise<{ classId: string; studentId: string; assignmentId: string }> {
    const cls = await createClass();
    const studentId = await enrol(cls.code);
    const res = await as(teacher.token, 'post', '/assignments/v2/assign').send(assignBody(cls._id, studentId));
    expect(res.status).toBe(200);
    return { classId: cls._id, studentId, assignmentId: res.body.assignments[0]._id };
  }

  beforeAll(async () => {
    edu = await startEdulasticSandbox({ accounts: [TEACHER, OTHER_TEACHER] });
  });

  beforeEach(async () => {
    teacher = await login(TEACHER);
  });

  afterEach(() => edu.reset());

  afterAll(() => edu.close());

  describe('auth', () => {
    it('logs a teacher in with the documented result', async () => {
      const res = await api().post('/auth/login').send(TEACHER);
      expect(res.status).toBe(200);
      expect(res.body.result).toEqual(
        expect.objectContaining({
          token: expect.any(String),
          _id: expect.stringMatching(/^[0-9a-f]{24}$/),
          role: 'teacher',
          districtIds: [expect.stringMatching(/^[0-9a-f]{24}$/)],
          institutionIds: [expect.stringMatching(/^[0-9a-f]{24}$/)],
        }),
      );
    });

    it('answers 401 for a wrong password and 400 for a missing field', async () => {
      const wrong = await api()
        .post('/auth/login')
        .send({ ...TEACHER, password: 'nope' });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual({ message: 'Invalid username or password' });
      const missing = await api().post('/auth/login').send({ username: TEACHER.username });
      expect(missing.status).toBe(400);
      expect(missing.body).toEqual({ message: 'password is required' });
    });

    it.each([
      ['missing', undefined],
      ['prefixed with Bearer', (t: string) => `Bearer ${t}`],
      ['unknown', () => 'not-a-token'],
    ])('answers 401 when the Authorization token is %s', async (_case, header) => {
      const req = api().get(`/assignments/test/${checkpoint.id}`);
      const res = await (header ? req.set('Authorization', header(teacher.token)) : req);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: 'Unauthorized' });
    });
  });

  describe('classes and students', () => {
    it('creates a class with a 24-hex id and a 6-character code', async () => {
      const cls = await createClass();
      expect(cls).toEqual(
        expect.objectContaining({
          _id: expect.stringMatching(/^[0-9a-f]{24}$/),
          code: expect.stringMatching(/^[A-Z0-9]{6}$/),
          name: 'Lesson 1',
          type: 'class',
        }),
      );
    });

    it('validates required fields', async () => {
      const res = await as(teacher.token, 'post', '/group').send({ name: 'x', type: 'class' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ message: 'districtId is required' });
    });

    it('answers 409 with the userId for an existing student (login in any case), who can be enrolled and given a password', async () => {
      const first = await createClass();
      const studentId = await enrol(first.code);
      const second = await createClass();

      const conflict = await as(teacher.token, 'post', '/enrollment/user').send({
        classCode: second.code,
        role: 'student',
        email: STUDENT_EMAIL.toUpperCase(),
        username: STUDENT_EMAIL.toUpperCase(),
        password: 'whatever-password-1',
        firstName: 'Grace',
      });
      expect(conflict.status).toBe(409);
      expect(conflict.body).toEqual({ message: 'User already exists', result: { userId: studentId } });

      await as(teacher.token, 'post', `/user/${second.code}/class-students`)
        .send({ userDetails: [STUDENT_EMAIL] })
        .expect(200);
      const changed = await as(teacher.token, 'put', `/user/${studentId}/password`).send({
        password: 'new-password-0123456',
      });
      expect(changed.status).toBe(200);
      expect(changed.body).toEqual({ result: { _id: studentId } });

      const student = await api()
        .post('/auth/login')
        .send({ username: STUDENT_EMAIL, password: 'new-password-0123456' });
      expect(student.status).toBe(200);
      expect(student.body.result).toMatchObject({ _id: studentId, role: 'student' });
      const state = await request(edu.url).get('/api/__sandbox/state');
      expect(state.body.result.classes.find((c: { _id: string }) => c._id === second._id).studentIds).toEqual([
        studentId,
      ]);
      expect(JSON.stringify(state.body)).not.toContain('password');
    });

    it("refuses another teacher's class and a student token on teacher routes", async () => {
      const cls = await createClass();
      const other = await login(OTHER_TEACHER);
      const res = await as(other.token, 'post', `/user/${cls.code}/class-students`).send({ userDetails: ['x@y.test'] });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ message: 'You do not own this class' });

      await enrol(cls.code);
      const student = await api().post('/auth/login').send({ username: STUDENT_EMAIL, password: STUDENT_PASSWORD });
      const forbidden = await as(student.body.result.token, 'get', `/assignments/test/${checkpoint.id}`);
      expect(forbidden.status).toBe(403);
    });
  });

  describe('assign', () => {
    it('answers SYNCHRONOUS_ASSIGN and lists the assignment under its test', async () => {
      const cls = await createClass();
      const studentId = await enrol(cls.code);
      const res = await as(teacher.token, 'post', '/assignments/v2/assign').send(assignBody(cls._id, studentId));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        assignments: [
          expect.objectContaining({
            _id: expect.stringMatching(/^[0-9a-f]{24}$/),
            testId: checkpoint.id,
            class: [expect.objectContaining({ _id: cls._id })],
            createdAt: expect.any(Number),
          }),
        ],
        message: 'SYNCHRONOUS_ASSIGN',
      });

      const listed = await as(teacher.token, 'get', `/assignments/test/${checkpoint.id}`);
      expect(listed.body.result).toEqual([
        expect.objectContaining({
          _id: res.body.assignments[0]._id,
          class: [expect.objectContaining({ _id: cls._id })],
          students: [studentId],
        }),
      ]);
    });

    it('answers 409 with commonStudents when the student already has the test in that class', async () => {
      const { classId, studentId } = await assigned();
      const again = await as(teacher.token, 'post', '/assignments/v2/assign').send(assignBody(classId, studentId));
      expect(again.status).toBe(409);
      expect(again.body).toEqual({ message: 'Assignment already exists', commonStudents: [studentId] });
    });

    it('answers 404 for an unknown test and 400 for missing fields', async () => {
      const cls = await createClass();
      const studentId = await enrol(cls.code);
      const unknown = await as(teacher.token, 'post', '/assignments/v2/assign').send(
        assignBody(cls._id, studentId, 'ffffffffffffffffffffffff'),
      );
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ message: 'Test not found' });
      const missing = await as(teacher.token, 'post', '/assignments/v2/assign').send({
        assignments: [{ testId: checkpoint.id }],
      });
      expect(missing.status).toBe(400);
      expect(missing.body).toEqual({ message: 'filters is required' });
    });
  });

  describe('results', () => {
    const results = (assignmentId: string, classId: string) =>
      as(teacher.token, 'post', `/assignments/${assignmentId}/classes/${classId}/test-activity`).send({
        page: 0,
        leftOverStudents: [],
      });

    it('lists assigned students and no activity before a submission', async () => {
      const { assignmentId, classId, studentId } = await assigned();
      const res = await results(assignmentId, classId);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        students: [expect.objectContaining({ _id: studentId, email: STUDENT_EMAIL })],
        testActivities: [],
        testQuestionActivities: [],
        leftOverStudents: [],
      });
    });

    it('pages as the real gradebook: page 0 lists every student, the activities of the first 40 and the ids of the rest; a later page those it names', async () => {
      const cls = await createClass();
      const ids: string[] = [];
      for (let i = 0; i < 42; i++) ids.push(await enrol(cls.code, `s${i}@school.test`));
      const res = await as(teacher.token, 'post', '/assignments/v2/assign').send({
        ...assignBody(cls._id, ids[0]),
        filters: { groups: [cls._id], students: [{ groupId: cls._id, studentsToAssign: ids }] },
      });
      const assignmentId = res.body.assignments[0]._id;
      for (const i of [0, 41])
        await control('/submit')
          .send({ assignmentId, email: `s${i}@school.test`, answers: [{ score: 1, maxScore: 1 }], graded: 'GRADED' })
          .expect(200);
      const page = (n: number, leftOverStudents: unknown) =>
        as(teacher.token, 'post', `/assignments/${assignmentId}/classes/${cls._id}/test-activity`).send({
          page: n,
          leftOverStudents,
        });

      const first = (await page(0, []).expect(200)).body;
      expect(first.students.map((s: { _id: string }) => s._id)).toEqual(ids);
      expect(first.testActivities.map((a: { userId: string }) => a.userId)).toEqual([ids[0]]);
      expect(first.leftOverStudents).toEqual(ids.slice(40));
      const later = (await page(1, first.leftOverStudents).expect(200)).body;
      expect(later.students.map((s: { _id: string }) => s._id)).toEqual(ids.slice(40));
      expect(later.testActivities.map((a: { userId: string }) => a.userId)).toEqual([ids[41]]);
      expect(later.leftOverStudents).toBeUndefined();
      // The shared contract's one page (page 1, no leftOverStudents): the whole class, as before paging.
      const contractPage = async (n: number) =>
        (
          await as(teacher.token, 'post', `/assignments/${assignmentId}/classes/${cls._id}/test-activity`)
            .send({ page: n })
            .expect(200)
        ).body;
      const whole = await contractPage(1);
      expect(whole.testActivities.map((a: { userId: string }) => a.userId)).toEqual([ids[0], ids[41]]);
      expect(whole.leftOverStudents).toBeUndefined();
      // …and its page 2 nothing, so a client that pages until it sees no students stops.
      const after = await contractPage(2);
      expect([after.students, after.testActivities]).toEqual([[], []]);
      // Nothing asked for, nothing answered; a page or a list that is not one is a 400.
      expect((await page(1, []).expect(200)).body.testActivities).toEqual([]);
      expect((await page(-1, []).expect(400)).body).toEqual({ message: 'page must be a non-negative integer' });
      expect((await page(1, 'x').expect(400)).body).toEqual({
        message: 'leftOverStudents must be an array of user ids',
      });
    });

    it('reports a submission with per-question activities; unanswered questions are skipped', async () => {
      const { assignmentId, classId, studentId } = await assigned();
      const answers = [{ score: 1, maxScore: 1 }, { score: 0, maxScore: 1 }, null, { score: 2, maxScore: 2 }];
      await control('/submit').send({ assignmentId, email: STUDENT_EMAIL, answers, graded: 'GRADED' }).expect(200);

      const res = await results(assignmentId, classId);
      expect(res.body.testActivities).toEqual([
        expect.objectContaining({
          userId: studentId,
          status: 1,
          graded: 'GRADED',
          score: 3,
          maxScore: checkpoint.questionCount - 4 + 5,
          endDate: expect.any(Number),
        }),
      ]);
      const questions = res.body.testQuestionActivities;
      expect(questions).toHaveLength(checkpoint.questionCount);
      expect(questions[0]).toEqual(
        expect.objectContaining({
          testActivityId: res.body.testActivities[0]._id,
          userId: studentId,
          qid: expect.any(String),
          score: 1,
          maxScore: 1,
          correct: true,
          skipped: false,
          graded: true,
        }),
      );
      expect(questions.map((q: { skipped: boolean }) => q.skipped)).toEqual([
        false,
        false,
        true,
        false,
        ...Array(checkpoint.questionCount - 4).fill(true),
      ]);
    });

    it('answers 404 for an unknown assignment or class', async () => {
      const { assignmentId } = await assigned();
      const unknownAssignment = await results('ffffffffffffffffffffffff', 'ffffffffffffffffffffffff');
      expect(unknownAssignment.status).toBe(404);
      expect(unknownAssignment.body).toEqual({ message: 'Assignment not found' });
      const unknownClass = await results(assignmentId, 'ffffffffffffffffffffffff');
      expect(unknownClass.status).toBe(404);
      expect(unknownClass.body).toEqual({ message: 'Class not found for this assignment' });
    });
  });

  describe('faults, latency and the call log', () => {
    it('answers a queued fault in Edulastic format, drops on request, and records calls', async () => {
      await control('/faults').send({ method: 'POST', path: '/api/assignments/*', status: 502 }).expect(201);
      const faulted = await as(teacher.token, 'post', '/assignments/v2/assign').send({});
      expect(faulted.status).toBe(502);
      expect(faulted.body).toEqual({ message: 'Bad Gateway' });

      await control('/faults').send({ path: '/api/group', drop: true });
      await expect(createClass()).rejects.toThrow();

      const calls = await request(edu.url).get('/api/__sandbox/calls');
      expect(calls.body.calls).toEqual([
        { method: 'POST', path: '/api/auth/login', status: 200, ms: expect.any(Number) },
        { method: 'POST', path: '/api/assignments/v2/assign', status: 502, ms: expect.any(Number) },
        { method: 'POST', path: '/api/group', status: 0, ms: expect.any(Number) },
      ]);
    });

    it('applies runtime latency to API calls only', async () => {
      await control('/latency').send({ ms: 300 }).expect(200, { latencyMs: 300 });
      let started = Date.now();
      await request(edu.url).get('/api/__sandbox/state').expect(200);
      expect(Date.now() - started).toBeLessThan(290);
      started = Date.now();
      await as(teacher.token, 'get', `/assignments/test/${checkpoint.id}`).expect(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    });

    it('answers unknown routes with 404 in Edulastic format', async () => {
      const res = await as(teacher.token, 'get', '/nothing-here');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ message: 'Route not found: GET /api/nothing-here' });
    });

    it('keeps teacher accounts across reset but forgets classes', async () => {
      await createClass();
      await control('/reset').expect(200);
      const state = await request(edu.url).get('/api/__sandbox/state');
      expect(state.body.result.classes).toEqual([]);
      await login(TEACHER);
    });
  });
});
