import { randomBytes } from 'node:crypto';
import { classCode, objectId } from '../ids';
import type { SnapshotStore } from '../state-file';
import type { EdulasticAccount, EdulasticSandboxTest } from './options';

export interface Teacher {
  role: 'teacher';
  _id: string;
  username: string;
  password: string;
}

export interface Student {
  role: 'student';
  _id: string;
  email: string;
  username: string;
  password: string;
  firstName: string;
  lastName: string;
  institutionIds: string[];
}

export type EdulasticUser = Teacher | Student;

export interface EdulasticClass {
  _id: string;
  code: string;
  name: string;
  /** Free text the teacher keeps with the class (our client stores its ledger ref here). */
  description?: string;
  type: string;
  districtId: string;
  institutionId: string;
  owners: string[];
  subject?: string;
  grades?: string[];
  startDate?: number;
  endDate?: number;
  studentIds: string[];
}

export interface EdulasticAssignment {
  _id: string;
  testId: string;
  /** The teacher whose token created it; only they see it in `GET /assignments/test/:testId`. */
  createdBy: string;
  /** Assignment settings as the client sent them (dates, policies, assignedBy, …). */
  settings: Record<string, unknown>;
  classes: { classId: string; studentIds: string[] }[];
  createdAt: number;
}

export interface QuestionActivity {
  testActivityId: string;
  userId: string;
  qid: string;
  score: number;
  maxScore: number;
  correct: boolean;
  skipped: boolean;
  graded: boolean;
}

export type GradingStatus = 'GRADED' | 'IN GRADING';

export interface TestActivity {
  _id: string;
  userId: string;
  assignmentId: string;
  groupId: string;
  testId: string;
  /** 0 in progress, 1 submitted, 2 absent; the sandbox only records submissions. */
  status: 0 | 1 | 2;
  graded: GradingStatus;
  score: number;
  maxScore: number;
  endDate: number;
  questions: QuestionActivity[];
}

/** The store as JSON; teachers come from the configured accounts, so only their ids (by username) are kept. */
export interface EdulasticSnapshot {
  districtId: string;
  institutionId: string;
  teacherIds: Record<string, string>;
  students: Student[];
  classes: EdulasticClass[];
  assignments: EdulasticAssignment[];
  activities: TestActivity[];
}

const activityKey = (assignmentId: string, userId: string): string => `${assignmentId}:${userId}`;

const sameText = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** In-memory Edulastic: one district and school, fixed teacher accounts and tests, everything else resettable. */
export class EdulasticStore implements SnapshotStore<EdulasticSnapshot> {
  districtId = objectId();
  institutionId = objectId();
  readonly teachers: readonly Teacher[];
  readonly tests: readonly EdulasticSandboxTest[];
  private readonly studentsById = new Map<string, Student>();
  readonly classes = new Map<string, EdulasticClass>();
  readonly assignments = new Map<string, EdulasticAssignment>();
  /** One attempt per student and assignment (maxAttempts 1); see activityKey. */
  readonly activities = new Map<string, TestActivity>();
  private readonly sessions = new Map<string, string>();
  /** Students by lower-cased email and username (the first to claim a login keeps it), as findUser matches them. */
  private readonly studentsByLogin = new Map<string, Student>();

  constructor(accounts: readonly EdulasticAccount[], tests: readonly EdulasticSandboxTest[]) {
    this.teachers = accounts.map((a) => ({ role: 'teacher', _id: objectId(), ...a }));
    this.tests = tests;
  }

  reset(): void {
    this.studentsById.clear();
    this.studentsByLogin.clear();
    this.classes.clear();
    this.assignments.clear();
    this.activities.clear();
    this.sessions.clear();
  }

  snapshot(): EdulasticSnapshot {
    return {
      districtId: this.districtId,
      institutionId: this.institutionId,
      teacherIds: Object.fromEntries(this.teachers.map((t) => [t.username.toLowerCase(), t._id])),
      students: [...this.students.values()],
      classes: [...this.classes.values()],
      assignments: [...this.assignments.values()],
      activities: [...this.activities.values()],
    };
  }

  /** Sessions are not kept: clients log in again on a 401, as the contract says. */
  restore(snapshot: EdulasticSnapshot): void {
    this.reset();
    this.districtId = snapshot.districtId;
    this.institutionId = snapshot.institutionId;
    for (const t of this.teachers) t._id = snapshot.teacherIds[t.username.toLowerCase()] ?? t._id;
    for (const s of snapshot.students) this.addStudent(s);
    for (const c of snapshot.classes) this.classes.set(c._id, c);
    for (const a of snapshot.assignments) this.assignments.set(a._id, a);
    for (const a of snapshot.activities) this.saveActivity(a);
  }

  /** Add through addStudent, which keeps the login index. */
  get students(): ReadonlyMap<string, Student> {
    return this.studentsById;
  }

  /** Teachers and enrolled students alike, by username or email, case-insensitive. */
  findUser(login: string): EdulasticUser | undefined {
    return this.teachers.find((t) => sameText(t.username, login)) ?? this.studentsByLogin.get(login.toLowerCase());
  }

  addStudent(student: Student): void {
    this.studentsById.set(student._id, student);
    for (const login of [student.email, student.username]) {
      const key = login.toLowerCase();
      if (!this.studentsByLogin.has(key)) this.studentsByLogin.set(key, student);
    }
  }

  startSession(user: EdulasticUser): string {
    const token = randomBytes(32).toString('base64url');
    this.sessions.set(token, user._id);
    return token;
  }

  endSession(token: string): void {
    this.sessions.delete(token);
  }

  userByToken(token: string): EdulasticUser | undefined {
    const id = this.sessions.get(token);
    return id === undefined ? undefined : (this.teachers.find((t) => t._id === id) ?? this.students.get(id));
  }

  createClass(fields: Omit<EdulasticClass, '_id' | 'code' | 'studentIds'>): EdulasticClass {
    const taken = new Set([...this.classes.values()].map((c) => c.code));
    let code = classCode();
    while (taken.has(code)) code = classCode();
    const created: EdulasticClass = { ...fields, _id: objectId(), code, studentIds: [] };
    this.classes.set(created._id, created);
    return created;
  }

  classByCode(code: string): EdulasticClass | undefined {
    return [...this.classes.values()].find((c) => sameText(c.code, code));
  }

  test(id: string): EdulasticSandboxTest | undefined {
    return this.tests.find((t) => sameText(t.id, id));
  }

  activity(assignmentId: string, userId: string): TestActivity | undefined {
    return this.activities.get(activityKey(assignmentId, userId));
  }

  saveActivity(activity: TestActivity): void {
    this.activities.set(activityKey(activity.assignmentId, activity.userId), activity);
  }

  /** Assignments of `testId` that already give the test to `studentId` in `classId`. */
  assignmentsCovering(testId: string, classId: string, studentId: string): EdulasticAssignment[] {
    return [...this.assignments.values()].filter(
      (a) =>
        sameText(a.testId, testId) && a.classes.some((c) => c.classId === classId && c.studentIds.includes(studentId)),
    );
  }
}
