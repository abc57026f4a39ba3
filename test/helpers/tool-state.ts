import request from 'supertest';
import { MT_API_KEY, MT_EMAIL, type Sandboxes } from './test-app';

export interface MtAssignmentState {
  id: number;
  student_email: string;
  status: string;
  test_name: string;
  timeback_id: string;
  assessment_result_sourced_id: string | null;
  assessment_line_item_sourced_id: string | null;
}

export interface EduState {
  classes: { _id: string; code: string; name: string; description?: string; studentIds: string[] }[];
  students: { _id: string; email: string }[];
  assignments: { _id: string; testId: string; class: { _id: string; students: string[] }[]; students: string[] }[];
}

const ACTIVE = ['ASSIGNED', 'IN_PROGRESS', 'PAUSED'];

/** What the tools hold, read through the sandboxes' control APIs: the counts the ledger must match. */
export function toolState(sandboxes: Sandboxes) {
  const mt = () => request(sandboxes.masteryTrack.url);
  const edu = () => request(sandboxes.edulastic.url);
  return {
    async mtAssignments(email: string): Promise<MtAssignmentState[]> {
      const res = await mt().get('/__sandbox/assignments').expect(200);
      return (res.body.data as MtAssignmentState[]).filter(
        (a) => a.student_email.toLowerCase() === email.toLowerCase(),
      );
    },
    async mtActive(email: string): Promise<MtAssignmentState[]> {
      return (await this.mtAssignments(email)).filter((a) => ACTIVE.includes(a.status));
    },
    /** Assigns a MasteryTrack test directly at the tool, as another platform would (nothing recorded with us). */
    async mtAssignOutside(email: string, timebackId: string): Promise<MtAssignmentState> {
      const { jwt } = (
        await mt().post('/authorizer').set('x-api-key', MT_API_KEY).send({ email: MT_EMAIL }).expect(200)
      ).body;
      const res = await mt()
        .post('/delivery/assignments/assign')
        .set('X-Auth-Token', `Bearer ${jwt}`)
        .send({ student_email: email, timeback_id: timebackId })
        .expect(201);
      return res.body.data.assignment;
    },
    /** Completes a MasteryTrack assignment: MasteryTrack writes the result back to our gradebook. */
    async mtComplete(
      id: string | number,
      studentSourcedId: string,
      score: number,
    ): Promise<{ status: number; body: unknown }> {
      const res = await mt()
        .post(`/__sandbox/assignments/${id}/complete`)
        .send({ score, studentSourcedId })
        .expect(200);
      return res.body.data.writeBack;
    },
    async edu(): Promise<EduState> {
      return (await edu().get('/api/__sandbox/state').expect(200)).body.result as EduState;
    },
    /** The Edulastic objects of one student: the user(s) with that email, their classes and assignments. */
    async eduOf(email: string) {
      const s = await this.edu();
      const users = s.students.filter((u) => u.email.toLowerCase() === email.toLowerCase());
      const ids = new Set(users.map((u) => u._id));
      return {
        users,
        classes: s.classes.filter((c) => c.studentIds.some((id) => ids.has(id))),
        assignments: s.assignments.filter((a) => a.students.some((id) => ids.has(id))),
      };
    },
    /** Whether Edulastic accepts these student credentials. */
    async eduLoginWorks(credentials: { email: string; password: string }): Promise<boolean> {
      const res = await edu()
        .post('/api/auth/login')
        .send({ username: credentials.email, password: credentials.password });
      return res.status === 200 && res.body.result?.role === 'student';
    },
    /** The student submits an Edulastic test (every question answered with `score` of 1 point). */
    async eduSubmit(assignmentId: string, email: string, scores: number[]): Promise<void> {
      await edu()
        .post('/api/__sandbox/submit')
        .send({ assignmentId, email, answers: scores.map((score) => ({ score, maxScore: 1 })) })
        .expect(200);
    },
  };
}
