import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@external-tests/auth';
import { AppError, ErrorCode } from '@external-tests/common';
import { CourseTestLessonsRepository, isClosedUnfinished } from '@external-tests/persistence';
import { assignmentFields, mayReadCredentials } from '../attempt-answer';
import { AssignmentsOptions } from '../assignments-options';
import { ASSIGNMENTS_OPTIONS } from '../assignments.module-definition';
import { TestOutDto, TestOutQueryDto } from '../dto/test-out.dto';
import { LessonResolver, ResolvedLesson } from '../lesson-resolver';
import { activeLessonsOf, checkCourse } from './test-targets';

/** What LessonResolver refuses a lesson for (rather than the student or the service). */
const LESSON_PROBLEMS = new Set([ErrorCode.UnsupportedTool, ErrorCode.InvalidData]);

/**
 * testOut: the course's test-out lesson for a student, answered from the ledger as the import answers (the tool
 * is not asked): finalized once the attempt is, and the tool fields (credentials only for create/put callers)
 * once it was assigned.
 */
@Injectable()
export class TestOutService {
  constructor(
    private readonly courses: CourseTestLessonsRepository,
    private readonly lessons: LessonResolver,
    @Inject(ASSIGNMENTS_OPTIONS) private readonly options: AssignmentsOptions,
  ) {}

  async testOut(q: TestOutQueryDto, principal?: Principal): Promise<TestOutDto> {
    const c = checkCourse(await this.courses.read(q.course), q.course, principal);
    const lessonIds = activeLessonsOf(c, { courseSourcedId: q.course, lessonType: 'test-out', grade: '' });
    if (lessonIds.length === 0) {
      await this.lessons.checkStudent(q.student, principal);
      return { lessonType: 'test-out', lessonId: null, finalized: false, toolProvider: null };
    }
    const r = await this.takenOf(lessonIds, q.student, principal);
    const lessonId = r.lesson.sourcedId;
    const latest = r.context.latest;
    return {
      lessonType: 'test-out',
      lessonId,
      // The tool that made the attempt answered, though the lesson may have moved to another since.
      toolProvider: this.lessons.madeOn(r, latest?.tool).provider.name,
      finalized: latest?.finalizedAt != null,
      // What getAssessmentProgress says of the same attempt.
      ...(latest && isClosedUnfinished(latest) ? { closed: true } : {}),
      attempt: latest?.attempt ?? r.context.nextAttempt,
      ...(latest
        ? assignmentFields(latest, this.options.cipher, r.student.sourcedId, mayReadCredentials(principal))
        : {}),
    };
  }

  /**
   * Of the course's test-outs (OneRoster lets a course have several, one a tool, say), the one the student took: the
   * last finalized, else the last assigned, else the first. A lesson this service cannot serve (a tool not configured,
   * a resource without what its tool needs) is passed over; when none can be, the first one's error is the answer.
   */
  private async takenOf(lessonIds: string[], student: string, principal?: Principal): Promise<ResolvedLesson> {
    if (lessonIds.length === 1) return this.lessons.resolve(student, lessonIds[0], principal);
    const resolved: ResolvedLesson[] = [];
    let firstError: unknown;
    for (const id of lessonIds) {
      try {
        resolved.push(await this.lessons.resolve(student, id, principal));
      } catch (e) {
        // Only a lesson this service cannot serve is passed over; the database or a fault is the answer.
        if (!(e instanceof AppError) || !LESSON_PROBLEMS.has(e.code)) throw e;
        firstError ??= e;
      }
    }
    if (resolved.length === 0) throw firstError;
    const rank = ({ context: { latest } }: ResolvedLesson): [number, number] =>
      latest ? [latest.finalizedAt ? 2 : 1, (latest.finalizedAt ?? latest.assignedAt)?.getTime() ?? 0] : [0, 0];
    return resolved.reduce((best, r) => {
      const [a, b] = [rank(r), rank(best)];
      return a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]) ? r : best;
    });
  }
}
