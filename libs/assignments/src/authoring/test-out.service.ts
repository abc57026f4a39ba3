import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@external-tests/auth';
import { CourseTestLessonsRepository } from '@external-tests/persistence';
import { assignmentFields, mayReadCredentials } from '../attempt-answer';
import { AssignmentsOptions } from '../assignments-options';
import { ASSIGNMENTS_OPTIONS } from '../assignments.module-definition';
import { TestOutDto, TestOutQueryDto } from '../dto/test-out.dto';
import { LessonResolver } from '../lesson-resolver';
import { activeLessonOf, checkCourse } from './test-targets';

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
    const lessonId = activeLessonOf(c, { courseSourcedId: q.course, lessonType: 'test-out', grade: '' });
    if (!lessonId) {
      await this.lessons.checkStudent(q.student, principal);
      return { lessonType: 'test-out', lessonId: null, finalized: false, toolProvider: null };
    }
    const r = await this.lessons.resolve(q.student, lessonId, principal);
    const latest = r.context.latest;
    return {
      lessonType: 'test-out',
      lessonId,
      // The tool that made the attempt answered, though the lesson may have moved to another since.
      toolProvider: this.lessons.madeOn(r, latest?.tool).provider.name,
      finalized: latest?.finalizedAt != null,
      attempt: latest?.attempt ?? r.context.nextAttempt,
      ...(latest
        ? assignmentFields(latest, this.options.cipher, r.student.sourcedId, mayReadCredentials(principal))
        : {}),
    };
  }
}
