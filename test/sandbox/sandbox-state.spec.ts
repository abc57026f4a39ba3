import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import {
  DEFAULT_EDULASTIC_TESTS,
  DEFAULT_MASTERY_TRACK_TESTS,
  startEdulasticSandbox,
  startMasteryTrackSandbox,
} from '@external-tests/sandbox';

/** Issue 11, finding 4: with a state file a sandbox restart continues where the last run stopped. */
describe('sandbox state files', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sandbox-state-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('MasteryTrack', () => {
    const options = () => ({
      apiKey: 'k',
      integratorEmails: ['i@platform.test'],
      stateFile: join(dir, 'mastery-track.json'),
    });
    const test = DEFAULT_MASTERY_TRACK_TESTS[0];

    async function assign(url: string, email: string, status: number) {
      const { jwt } = (
        await request(url).post('/authorizer').set('x-api-key', 'k').send({ email: 'i@platform.test' }).expect(200)
      ).body;
      return request(url)
        .post('/delivery/assignments/assign')
        .set('X-Auth-Token', `Bearer ${jwt}`)
        .send({ student_email: email, timeback_id: test.timeback_id })
        .expect(status);
    }

    it('keeps assignments (and their student page) across a restart; new ids never repeat old ones', async () => {
      const first = await startMasteryTrackSandbox(options());
      expect(first.restored).toBe(false);
      const made = (await assign(first.url, 'ada@school.test', 201)).body.data.assignment;
      await first.close();

      const second = await startMasteryTrackSandbox(options());
      try {
        expect(second.restored).toBe(true);
        // Same test for the same student: the restored assignment is still the active one.
        const again = await assign(second.url, 'ada@school.test', 409);
        expect(again.body.data.existing_assignment).toMatchObject({ id: made.id, status: 'ASSIGNED' });
        expect((await request(second.url).get(`/assignment/${made.id}`)).status).toBe(200);
        const other = (await assign(second.url, 'bob@school.test', 201)).body.data.assignment;
        expect(other.id).toBeGreaterThan(made.id);
        // Completing it (a change) is saved at once, not only on close.
        await request(second.url).post(`/__sandbox/assignments/${made.id}/complete`).send({ score: 80 }).expect(200);
        const saved = JSON.parse(readFileSync(join(dir, 'mastery-track.json'), 'utf8'));
        expect(saved.state.assignments).toEqual(
          expect.arrayContaining([expect.objectContaining({ id: made.id, status: 'COMPLETED', score: 80 })]),
        );
      } finally {
        await second.close();
      }
    });

    it('starts empty without a file, and refuses an unreadable one', async () => {
      const fresh = await startMasteryTrackSandbox(options());
      const list = await request(fresh.url).get('/__sandbox/assignments').expect(200);
      expect(list.body.data).toEqual([]);
      await fresh.close();

      writeFileSync(join(dir, 'mastery-track.json'), '{ not json');
      await expect(startMasteryTrackSandbox(options())).rejects.toThrow(/unreadable.*npm run reset/);
    });
  });

  describe('Edulastic', () => {
    const TEACHER = { username: 'service@platform.test', password: 'teacher-pass-123' };
    const STUDENT = { email: 'grace@school.test', password: 'student-pass-0123456789' };
    const checkpoint = DEFAULT_EDULASTIC_TESTS[0];
    const options = () => ({ accounts: [TEACHER], stateFile: join(dir, 'edulastic.json') });

    async function login(url: string, account: { username: string; password: string }) {
      return (await request(url).post('/api/auth/login').send(account).expect(200)).body.result;
    }

    it('keeps teacher ids, classes, students, assignments and activities; sessions end with the process', async () => {
      const first = await startEdulasticSandbox(options());
      const teacher = await login(first.url, TEACHER);
      const as = (method: 'get' | 'post', path: string, token: string = teacher.token) =>
        request(first.url)[method](`/api${path}`).set('Authorization', token);
      const group = (
        await as('post', '/group')
          .send({
            name: 'Lesson 1',
            type: 'class',
            districtId: teacher.districtIds[0],
            institutionId: teacher.institutionIds[0],
            owners: [teacher._id],
          })
          .expect(200)
      ).body.result;
      const { userId } = (
        await as('post', '/enrollment/user')
          .send({
            classCode: group.code,
            role: 'student',
            email: STUDENT.email,
            username: STUDENT.email,
            password: STUDENT.password,
            firstName: 'Grace',
            lastName: 'Hopper',
          })
          .expect(200)
      ).body.result;
      const assignment = (
        await as('post', '/assignments/v2/assign')
          .send({
            assignments: [{ testId: checkpoint.id }],
            filters: { groups: [group._id], students: [{ groupId: group._id, studentsToAssign: [userId] }] },
          })
          .expect(200)
      ).body.assignments[0];
      await first.close();

      const second = await startEdulasticSandbox(options());
      try {
        expect(second.restored).toBe(true);
        const api = (method: 'get' | 'post', path: string, token: string) =>
          request(second.url)[method](`/api${path}`).set('Authorization', token);
        // The old token is gone (the client logs in again, as the contract says); the teacher keeps its id.
        await api('get', `/assignments/test/${checkpoint.id}`, teacher.token).expect(401);
        const again = await login(second.url, TEACHER);
        expect(again).toMatchObject({ _id: teacher._id, districtIds: teacher.districtIds });
        const listed = await api('get', `/assignments/test/${checkpoint.id}`, again.token).expect(200);
        expect(listed.body.result).toEqual([expect.objectContaining({ _id: assignment._id })]);
        // The student still signs in, and a submission shows in the class gradebook the teacher still owns.
        expect((await login(second.url, { username: STUDENT.email, password: STUDENT.password })).role).toBe('student');
        await request(second.url)
          .post('/api/__sandbox/submit')
          .send({ assignmentId: assignment._id, email: STUDENT.email, answers: [{ score: 1, maxScore: 1 }] })
          .expect(200);
        const activity = await api(
          'post',
          `/assignments/${assignment._id}/classes/${group._id}/test-activity`,
          again.token,
        ).expect(200);
        expect(activity.body.testActivities).toEqual([expect.objectContaining({ userId, status: 1 })]);
      } finally {
        await second.close();
      }

      const third = await startEdulasticSandbox(options());
      try {
        const state = (await request(third.url).get('/api/__sandbox/state').expect(200)).body.result;
        expect(state.testActivities).toHaveLength(1);
      } finally {
        await third.close();
      }
    });

    it('a control reset is saved too: the next start is empty', async () => {
      const first = await startEdulasticSandbox(options());
      const teacher = await login(first.url, TEACHER);
      await request(first.url)
        .post('/api/group')
        .set('Authorization', teacher.token)
        .send({ name: 'c', type: 'class', districtId: 'd', institutionId: 'i', owners: [teacher._id] })
        .expect(200);
      await request(first.url).post('/api/__sandbox/reset').expect(200);
      await first.close();
      const second = await startEdulasticSandbox(options());
      try {
        expect((await request(second.url).get('/api/__sandbox/state').expect(200)).body.result.classes).toEqual([]);
      } finally {
        await second.close();
      }
    });
  });
});
