import { randomInt } from 'node:crypto';
import type { MasteryTrackSandboxTest } from './options';
import type { SnapshotStore } from '../state-file';
import type { AssessmentResultPayload } from './write-back';

export type AssignmentStatus = 'ASSIGNED' | 'IN_PROGRESS' | 'PAUSED' | 'COMPLETED' | 'INVALIDATED';

const ACTIVE_STATUSES: readonly AssignmentStatus[] = ['ASSIGNED', 'IN_PROGRESS', 'PAUSED'];
const EXPIRY_MS = 30 * 24 * 3600 * 1000;

export interface MasteryTrackAssignment {
  id: number;
  /** As the client sent it; comparisons use the lower-cased form. */
  studentEmail: string;
  test: MasteryTrackSandboxTest;
  status: AssignmentStatus;
  assignedBy: number;
  createdAt: Date;
  expiresAt: Date;
  lineItemSourcedId?: string;
  resultSourcedId?: string;
  score?: number;
  /** The last payload PUT to OneRoster, kept for redelivery. */
  lastWriteBack?: AssessmentResultPayload;
}

export type NewAssignment = Pick<
  MasteryTrackAssignment,
  'studentEmail' | 'test' | 'assignedBy' | 'lineItemSourcedId' | 'resultSourcedId'
>;

/** The store as JSON: assignments name their test by timeback_id and dates are ISO strings. */
export interface MasteryTrackSnapshot {
  nextId: number;
  assignments: (Omit<MasteryTrackAssignment, 'test' | 'createdAt' | 'expiresAt'> & {
    timebackId: string;
    createdAt: string;
    expiresAt: string;
  })[];
}

export function isActive(a: MasteryTrackAssignment): boolean {
  return ACTIVE_STATUSES.includes(a.status);
}

/** Emails, subjects and ids all compare case-insensitively at MasteryTrack. */
export const equalsIgnoreCase = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** In-memory MasteryTrack: a fixed inventory and the assignments made against it. */
export class MasteryTrackStore implements SnapshotStore<MasteryTrackSnapshot> {
  readonly tests: readonly MasteryTrackSandboxTest[];
  readonly inventoryCreatedAt = new Date();
  private readonly assignments = new Map<number, MasteryTrackAssignment>();
  /** The same assignments by lower-cased student email, in creation order: lookups stay flat as the store grows. */
  private readonly byStudent = new Map<string, MasteryTrackAssignment[]>();
  // Never reset, and from a random start: ids stay unique across /__sandbox/reset and across sandbox instances
  // (as a real MasteryTrack's are), so ids a database keeps from an earlier run never alias new ones.
  private nextId = randomInt(100_000, 1_000_000_000);

  constructor(tests: readonly MasteryTrackSandboxTest[]) {
    this.tests = tests;
  }

  reset(): void {
    this.assignments.clear();
    this.byStudent.clear();
  }

  snapshot(): MasteryTrackSnapshot {
    return {
      nextId: this.nextId,
      assignments: this.all().map(({ test, createdAt, expiresAt, ...fields }) => ({
        ...fields,
        timebackId: test.timeback_id,
        createdAt: createdAt.toISOString(),
        expiresAt: expiresAt.toISOString(),
      })),
    };
  }

  /** Assignments of tests no longer in the inventory are dropped; ids continue past the saved ones. */
  restore(snapshot: MasteryTrackSnapshot): void {
    this.reset();
    for (const { timebackId, createdAt, expiresAt, ...fields } of snapshot.assignments) {
      const test = this.findTest(timebackId);
      if (test) this.add({ ...fields, test, createdAt: new Date(createdAt), expiresAt: new Date(expiresAt) });
    }
    this.nextId = Math.max(this.nextId, snapshot.nextId);
  }

  all(): MasteryTrackAssignment[] {
    return [...this.assignments.values()];
  }

  get(id: number): MasteryTrackAssignment | undefined {
    return this.assignments.get(id);
  }

  isSupported(test: MasteryTrackSandboxTest): boolean {
    return test.supported !== false;
  }

  findTest(timebackId: string): MasteryTrackSandboxTest | undefined {
    return this.tests.find((t) => equalsIgnoreCase(t.timeback_id, timebackId));
  }

  /**
   * The first supported test of `subject` (at `gradeRank`, or at the lowest grade for placement) the student
   * has not completed. An active assignment does not count as taken, so a retry lands on the same test (409).
   */
  nextTestFor(email: string, subject: string, gradeRank?: number): MasteryTrackSandboxTest | undefined {
    const completed = this.forStudent(email).filter((a) => a.status === 'COMPLETED');
    return this.tests
      .filter((t) => this.isSupported(t) && equalsIgnoreCase(t.subject, subject))
      .filter((t) => gradeRank === undefined || t.grade_rank === gradeRank)
      .filter((t) => !completed.some((a) => a.test === t))
      .sort((a, b) => a.grade_rank - b.grade_rank || a.name.localeCompare(b.name))[0];
  }

  activeAssignment(email: string, test: MasteryTrackSandboxTest): MasteryTrackAssignment | undefined {
    return this.forStudent(email).find((a) => a.test === test && isActive(a));
  }

  forStudent(email: string): MasteryTrackAssignment[] {
    return [...(this.byStudent.get(email.toLowerCase()) ?? [])];
  }

  create(input: NewAssignment): MasteryTrackAssignment {
    const createdAt = new Date();
    const assignment: MasteryTrackAssignment = {
      ...input,
      id: this.nextId++,
      status: 'ASSIGNED',
      createdAt,
      expiresAt: new Date(createdAt.getTime() + EXPIRY_MS),
    };
    this.add(assignment);
    return assignment;
  }

  private add(assignment: MasteryTrackAssignment): void {
    this.assignments.set(assignment.id, assignment);
    const key = assignment.studentEmail.toLowerCase();
    const own = this.byStudent.get(key);
    if (own) own.push(assignment);
    else this.byStudent.set(key, [assignment]);
  }
}
