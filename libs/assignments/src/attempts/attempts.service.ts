import { Injectable } from '@nestjs/common';
import type { Principal } from '@external-tests/auth';
import { AppError, ErrorCode } from '@external-tests/common';
import {
  AttemptLedgerRepository,
  AttemptRecord,
  AttemptResultsRepository,
  isClosedUnfinished,
  ListedAttempt,
} from '@external-tests/persistence';
import { AssessmentProgressDto, AttemptDto, AttemptsDto, NewAttemptDto, ResetAttemptDto } from '../dto/results.dto';
import { ProgressQueryDto, StudentLessonDto } from '../dto/student-lesson.dto';
import { LessonResolver } from '../lesson-resolver';

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function toAttempt(a: AttemptRecord | ListedAttempt): AttemptDto {
  // A closed attempt (submitted, graded, never final) is completed too: the student is done with it.
  const done = a.finalizedAt ?? a.closedAt;
  return {
    attempt: a.attempt,
    score: a.score ?? 0,
    scoreStatus: a.scoreStatus,
    xp: null,
    startedAt: a.assignedAt ? a.assignedAt.toISOString() : null,
    completedAt: done ? completedAt(done, 'scoreDate' in a ? a.scoreDate : undefined).toISOString() : null,
  };
}

/**
 * When the student finished a done attempt: the tool's date for it (the scoreDate its result was written or read
 * with), not when we learned it (an Edulastic import may run days later); never after we learned it (a writer's clock
 * may be ahead).
 */
function completedAt(done: Date, scoreDate: Date | undefined): Date {
  return scoreDate && scoreDate.getTime() < done.getTime() ? scoreDate : done;
}

/** getAttempts, createNewAttempt, resetAttempt and getAssessmentProgress for external test lessons (the flow's attempts). */
@Injectable()
export class AttemptsService {
  constructor(
    private readonly lessons: LessonResolver,
    private readonly attempts: AttemptLedgerRepository,
    private readonly results: AttemptResultsRepository,
  ) {}

  async list(q: StudentLessonDto, principal?: Principal): Promise<AttemptsDto> {
    await this.lessons.resolve(q.student, q.lesson, principal);
    return { attempts: (await this.attempts.list(q.lesson, q.student)).map(toAttempt) };
  }

  /**
   * A new attempt, only once the current one is finalized or closed by its tool (the first attempt needs no
   * predecessor): nextAttempt is the current one until then.
   */
  async create(q: StudentLessonDto, principal?: Principal): Promise<NewAttemptDto> {
    const r = await this.lessons.resolve(q.student, q.lesson, principal);
    const current = r.context.latest;
    if (current && current.attempt === r.context.nextAttempt) {
      throw AppError.invalidData(
        `Attempt ${current.attempt} is not completed yet; finish it before starting a new one`,
        'lesson',
        ErrorCode.AttemptNotCompleted,
      );
    }
    const attempt = r.context.nextAttempt;
    const opened = await this.attempts.open({
      lessonSourcedId: r.lesson.sourcedId,
      lessonTitle: r.lesson.title,
      studentSourcedId: r.student.sourcedId,
      attempt,
      lineItemSourcedId: r.context.lineItemSourcedId,
      resultMetadata: { attempt, toolProvider: r.provider.name, lessonType: r.lesson.lessonType },
      origin: 'createNewAttempt',
    });
    if (!opened)
      throw new AppError(ErrorCode.InProgress, 'Another request created this attempt; read it with getAttempts', {
        retryAfterSeconds: 1,
      });
    return { attempt: toAttempt(opened) };
  }

  /** External tests: only the score goes back to 0 (PowerPath contract). */
  async reset(q: StudentLessonDto, principal?: Principal): Promise<ResetAttemptDto> {
    const r = await this.lessons.resolve(q.student, q.lesson, principal);
    if (!r.context.latest)
      throw AppError.invalidData(
        'There is no attempt to reset for this student and lesson',
        'lesson',
        ErrorCode.NoAssignment,
      );
    await this.results.resetScore(r.context.latest.resultSourcedId);
    return { success: true, score: 0 };
  }

  async progress(q: ProgressQueryDto, principal?: Principal): Promise<AssessmentProgressDto> {
    const r = await this.lessons.resolve(q.student, q.lesson, principal);
    const rows = q.attempt === undefined ? [] : await this.attempts.list(q.lesson, q.student);
    const a = q.attempt === undefined ? r.context.latest : rows.find((x) => x.attempt === q.attempt);
    if (q.attempt !== undefined && !a) throw AppError.notFound('attempt', String(q.attempt));
    const meta = a?.resultMetadata ?? {};
    const finalized = a?.finalizedAt != null;
    // The questions an import stored (pulled results); pushed ones carry counts only. Each links to its test.
    const testUrl = a?.testUrl;
    const questions =
      a && testUrl
        ? (
            await this.results.questions({
              lineItemSourcedId: a.lineItemSourcedId,
              studentSourcedId: r.student.sourcedId,
              attempt: a.attempt,
            })
          ).map((question, i) => ({
            id: question.questionId,
            index: i,
            title: question.title,
            url: testUrl,
            difficulty: 'medium' as const,
            correct: question.correct,
            result: { score: question.score, feedback: '' },
          }))
        : [];
    const total = num(meta.totalQuestions) ?? 0;
    const correct = num(meta.correctQuestions) ?? 0;
    return {
      lessonType: r.lesson.lessonType,
      finalized,
      score: a?.score ?? 0,
      questions,
      // The tool that made the attempt, though the lesson may have moved to another since.
      toolProvider: this.lessons.madeOn(r, a?.tool).provider.name,
      ...(finalized ? { enrollmentFailed: meta.enrollmentFailed === true } : {}),
      ...(a && isClosedUnfinished(a) ? { closed: true } : {}),
      attempt: a?.attempt ?? 1,
      xp: null,
      multiplier: null,
      accuracy: num(meta.accuracy) ?? (total > 0 ? Math.round((correct / total) * 10_000) / 100 : (a?.score ?? 0)),
      correctQuestions: correct,
      totalQuestions: total,
    };
  }
}
