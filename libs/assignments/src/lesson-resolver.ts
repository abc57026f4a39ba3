import { Injectable } from '@nestjs/common';
import type { Principal } from '@external-tests/auth';
import { LessonContext, LessonContextRepository } from '@external-tests/persistence';
import { DEFAULT_ACCOUNT, ExternalTestProvider, LessonSpec, ProviderRegistry } from '@external-tests/providers';
import { CheckedStudent, checkStudentAndLesson, checkStudentVisible } from './lesson-checks';

/** A student and an external-test lesson, checked, with the lesson's tool and everything stored about the pair. */
export interface ResolvedLesson {
  student: CheckedStudent;
  lesson: LessonSpec;
  provider: ExternalTestProvider;
  context: LessonContext;
}

/**
 * The one way the PowerPath external-test endpoints resolve (student, lesson): one read, then every 404/422
 * check (including the caller's org), then the lesson's tool.
 */
@Injectable()
export class LessonResolver {
  constructor(
    private readonly contexts: LessonContextRepository,
    private readonly providers: ProviderRegistry,
  ) {}

  /** `applicationName`: the tool account a new assignment would use (its class and login are read along). */
  async resolve(
    student: string,
    lesson: string,
    principal?: Principal,
    applicationName?: string,
  ): Promise<ResolvedLesson> {
    const context = await this.contexts.read(student, lesson, applicationName ?? DEFAULT_ACCOUNT);
    const checked = checkStudentAndLesson(context, student, lesson, principal);
    return {
      student: checked.student,
      lesson: checked.lesson,
      provider: this.providers.get(checked.toolProvider),
      context,
    };
  }

  /**
   * The lesson as its attempt was made: with the tool the ledger recorded for it (`tool`), which stays the attempt's
   * after the lesson moves to another tool. Everything about an existing attempt (its answer, its resumed call, its
   * import, its progress) goes to that tool; a new attempt goes to the lesson's. Unchanged when they agree (or nothing
   * is recorded yet).
   */
  madeOn(r: ResolvedLesson, tool: string | null | undefined): ResolvedLesson {
    return !tool || tool === r.provider.name ? r : { ...r, provider: this.providers.get(tool) };
  }

  /** The student alone (404 as in `resolve`), for an answer about a course that has no such lesson. */
  async checkStudent(student: string, principal?: Principal): Promise<void> {
    // The same one read as `resolve`, with a lesson id no lesson has ('').
    const context = await this.contexts.read(student, '', DEFAULT_ACCOUNT);
    checkStudentVisible(context.student, student, principal);
  }
}
