import { AppError, VendorHttpClient, VendorResponse, VendorTransportError, ErrorCode } from '@external-tests/common';
import { EdulasticAccount } from '../provider-options';
import {
  EduAssignResponse,
  EduEnvelope,
  EduError,
  EduGroup,
  EduLoginResult,
  EduTestActivityResponse,
  EduTestAssignment,
  isObjectId,
} from './edulastic.wire';

export interface TeacherSession {
  token: string;
  teacherId: string;
  districtId: string;
  institutionId: string;
}

/** Students per gradebook page after the first, as Edulastic's teacher app asks for them (contract §5). */
export const ACTIVITY_PAGE_SIZE = 40;

type Req = { method: 'GET' | 'POST' | 'PUT'; path: string; body?: unknown; retry: boolean; deadlineAt?: number };

/**
 * Edulastic HTTP client for one teacher (service) account: login token cached and renewed once on a 401,
 * raw token in `Authorization` (no Bearer), `{result}` envelopes unwrapped, `{message}` errors mapped.
 */
export class EdulasticClient {
  private session?: TeacherSession;
  private inflight?: Promise<TeacherSession>;

  constructor(
    private readonly http: VendorHttpClient,
    private readonly account: EdulasticAccount,
  ) {}

  async teacher(forceRefresh = false): Promise<TeacherSession> {
    // One login serves every caller: it runs on its own budget, not on one caller's deadline.
    if (!forceRefresh && this.session) return this.session;
    this.inflight ??= this.loginTeacher().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  async createClass(body: Record<string, unknown>, deadlineAt?: number): Promise<EduGroup> {
    // Not retried: a repeat would create a second class (a lost answer is recovered by findClass instead).
    const res = await this.authorized<EduEnvelope<EduGroup>>({
      method: 'POST',
      path: '/group',
      body,
      retry: false,
      deadlineAt,
    });
    const group = this.expectOk(res, 'create class').result;
    if (!isObjectId(group?._id) || typeof group.code !== 'string') throw this.badResponse('class without _id/code');
    return group;
  }

  /** The teacher's class whose description is `description` (ours: `GET /group/mygroups`, docs/edulastic-calls.md). */
  async findClass(description: string, deadlineAt?: number): Promise<EduGroup | undefined> {
    const res = await this.authorized<EduEnvelope<EduGroup[]>>({
      method: 'GET',
      path: '/group/mygroups',
      retry: true,
      deadlineAt,
    });
    const groups = this.expectOk(res, 'list classes').result;
    if (!Array.isArray(groups)) throw this.badResponse('class list is not an array');
    const found = groups.find((g) => g?.description === description);
    if (found && (!isObjectId(found._id) || typeof found.code !== 'string'))
      throw this.badResponse('class without _id/code');
    return found;
  }

  /** Creates the student in the class; an existing user comes back as `{existing: userId}`. */
  async enrolNewStudent(
    body: Record<string, unknown>,
    deadlineAt?: number,
  ): Promise<{ userId: string; existing: boolean }> {
    const res = await this.authorized<EduEnvelope<{ userId: string }> | EduError>({
      method: 'POST',
      path: '/enrollment/user',
      body,
      retry: true,
      deadlineAt,
    });
    if (res.status === 409) {
      const userId = (res.data as EduError).result?.userId;
      if (!isObjectId(userId)) throw this.badResponse('409 without the existing userId');
      return { userId, existing: true };
    }
    const userId = (this.expectOk(res, 'enrol student') as EduEnvelope<{ userId: string }>).result?.userId;
    if (!isObjectId(userId)) throw this.badResponse('enrolment without userId');
    return { userId, existing: false };
  }

  /** Adds an existing student to the class; false when Edulastic knows no student with that email (404). */
  async addExistingStudentToClass(classCode: string, email: string, deadlineAt?: number): Promise<boolean> {
    const res = await this.authorized({
      method: 'POST',
      path: `/user/${encodeURIComponent(classCode)}/class-students`,
      body: { userDetails: [email] },
      retry: true,
      deadlineAt,
    });
    if (res.status === 404 && /student not found/i.test(this.message(res))) return false;
    this.expectOk(res, 'add student to class');
    return true;
  }

  async setPassword(userId: string, password: string, deadlineAt?: number): Promise<void> {
    const res = await this.authorized({
      method: 'PUT',
      path: `/user/${userId}/password`,
      body: { password },
      retry: true,
      deadlineAt,
    });
    this.expectOk(res, 'set student password');
  }

  /** Assigns; a 409 (already assigned) comes back as the assignment of this test, class and student, if listed. */
  async assign(
    body: Record<string, unknown>,
    target: { testId: string; classId: string; studentId: string },
    deadlineAt?: number,
  ): Promise<{ assignmentId: string; existing: boolean }> {
    const res = await this.authorized<EduAssignResponse | EduError>({
      method: 'POST',
      path: '/assignments/v2/assign',
      body,
      retry: true,
      deadlineAt,
    });
    if (res.status === 200) {
      const created = (res.data as EduAssignResponse)?.assignments?.[0];
      if (!isObjectId(created?._id)) throw this.badResponse('assign answered without an assignment');
      return { assignmentId: created._id, existing: false };
    }
    if (res.status === 404) {
      throw new AppError(
        ErrorCode.ToolRefused,
        `Edulastic rejected the assignment: ${this.message(res)} (testId ${target.testId})`,
        {
          details: [{ field: 'resource.vendorId', value: target.testId, vendorMessage: this.message(res) }],
        },
      );
    }
    if (res.status === 409) {
      const existing = await this.findAssignment(target.testId, target.classId, target.studentId, deadlineAt);
      if (existing) return { assignmentId: existing, existing: true };
      throw new AppError(ErrorCode.ToolBadResponse, 'Edulastic reports the assignment exists but does not list it');
    }
    throw this.rejection(res, 'assign test');
  }

  async findAssignment(
    testId: string,
    classId: string,
    studentId: string,
    deadlineAt?: number,
  ): Promise<string | undefined> {
    const res = await this.authorized<EduEnvelope<EduTestAssignment[]>>({
      method: 'GET',
      path: `/assignments/test/${encodeURIComponent(testId)}`,
      retry: true,
      deadlineAt,
    });
    const list = this.expectOk(res, 'list assignments').result;
    if (!Array.isArray(list)) throw this.badResponse('assignment list is not an array');
    return list.find((a) => a.class?.some((c) => c._id === classId) && (a.students ?? []).includes(studentId))?._id;
  }

  /**
   * The class gradebook as far as it holds `student`'s activity (contract §5). Page 0 lists every student of the
   * class with the activities of the first ones, and the ids of the rest (`leftOverStudents`), which Edulastic's own
   * teacher app then asks for 40 at a time (page 1, 2, …). Only the page with this student is asked for: at most two
   * calls, whatever the size of the class.
   */
  async testActivity(
    assignmentId: string,
    classId: string,
    student: { userId: string } | { email: string },
    deadlineAt?: number,
  ): Promise<EduTestActivityResponse> {
    const first = await this.activityPage(assignmentId, classId, 0, [], deadlineAt);
    const userId =
      'userId' in student
        ? student.userId
        : first.students.find((s) => s.email?.toLowerCase() === student.email.toLowerCase())?._id;
    const left = first.leftOverStudents ?? [];
    const at = userId === undefined ? -1 : left.indexOf(userId);
    if (at < 0) return first;
    const batch = Math.floor(at / ACTIVITY_PAGE_SIZE);
    const page = await this.activityPage(
      assignmentId,
      classId,
      batch + 1,
      left.slice(batch * ACTIVITY_PAGE_SIZE, (batch + 1) * ACTIVITY_PAGE_SIZE),
      deadlineAt,
    );
    // The students of page 0 (all of them): the result is looked up by email there for an old assignment.
    return { ...page, students: first.students };
  }

  private async activityPage(
    assignmentId: string,
    classId: string,
    page: number,
    leftOverStudents: string[],
    deadlineAt?: number,
  ): Promise<EduTestActivityResponse> {
    const res = await this.authorized<EduTestActivityResponse>({
      method: 'POST',
      path: `/assignments/${assignmentId}/classes/${classId}/test-activity`,
      body: { page, leftOverStudents },
      retry: true,
      deadlineAt,
    });
    const data = this.expectOk(res, 'read test activity');
    if (
      !Array.isArray(data?.testActivities) ||
      !Array.isArray(data?.testQuestionActivities) ||
      !Array.isArray(data?.students)
    ) {
      throw this.badResponse('test activity without its arrays');
    }
    const left: unknown = data.leftOverStudents;
    if (left !== undefined && left !== null && !(Array.isArray(left) && left.every((id) => typeof id === 'string'))) {
      throw this.badResponse('test activity whose leftOverStudents is not a list of user ids');
    }
    return data;
  }

  /** Proves a student's credentials work (role student). */
  async verifyStudentLogin(email: string, password: string, deadlineAt?: number): Promise<void> {
    const res = await this.http.request<EduEnvelope<EduLoginResult> | EduError>({
      method: 'POST',
      path: '/auth/login',
      body: { username: email, password },
      headers: { 'Content-Type': 'application/json' },
      retry: true,
      deadlineAt,
    });
    const result = (res.data as EduEnvelope<EduLoginResult>)?.result;
    if (res.status !== 200 || result?.role !== 'student') {
      throw new AppError(
        ErrorCode.ToolBadResponse,
        `Edulastic did not accept the student's new credentials (${this.message(res)})`,
      );
    }
  }

  private async loginTeacher(): Promise<TeacherSession> {
    const res = await this.http.request<EduEnvelope<EduLoginResult> | EduError>({
      method: 'POST',
      path: '/auth/login',
      body: { username: this.account.username, password: this.account.password },
      headers: { 'Content-Type': 'application/json' },
      retry: true,
    });
    const r = (res.data as EduEnvelope<EduLoginResult>)?.result;
    if (res.status !== 200 || typeof r?.token !== 'string') {
      throw new AppError(ErrorCode.ToolBadResponse, `Edulastic refused our service account: ${this.message(res)}`);
    }
    if (!r.districtIds?.[0] || !r.institutionIds?.[0]) throw this.badResponse('teacher without district/institution');
    this.session = {
      token: r.token,
      teacherId: r._id,
      districtId: r.districtIds[0],
      institutionId: r.institutionIds[0],
    };
    return this.session;
  }

  private async authorized<T>(req: Req): Promise<VendorResponse<T>> {
    const send = async (s: TeacherSession) =>
      this.http.request<T>(
        Object.assign({}, req, { headers: { Authorization: s.token, 'Content-Type': 'application/json' } }),
      );
    const res = await send(await this.teacher());
    if (res.status !== 401) return res;
    this.session = undefined;
    const retried = await send(await this.teacher(true));
    if (retried.status === 401) throw new AppError(ErrorCode.ToolBadResponse, 'Edulastic rejected a fresh login token');
    return retried;
  }

  private expectOk<T>(res: VendorResponse<T>, what: string): T {
    if (res.status === 200 || res.status === 201) return res.data;
    throw this.rejection(res, what);
  }

  private rejection(res: VendorResponse<unknown>, what: string): AppError {
    const message = this.message(res);
    if (res.status === 400 || res.status === 404 || res.status === 422) {
      return new AppError(ErrorCode.ToolRefused, `Edulastic could not ${what}: ${message}`, {
        details: [{ field: 'toolProvider', value: 'edulastic', vendorMessage: message }],
      });
    }
    return new AppError(ErrorCode.ToolBadResponse, `Edulastic could not ${what}: HTTP ${res.status} ${message}`);
  }

  private message(res: VendorResponse<unknown>): string {
    const m = (res.data as EduError | undefined)?.message;
    return typeof m === 'string' ? m : `HTTP ${res.status}`;
  }

  private badResponse(message: string): VendorTransportError {
    return new VendorTransportError('Edulastic', 'bad_response', message);
  }
}
