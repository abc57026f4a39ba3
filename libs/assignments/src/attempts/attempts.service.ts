import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Principal } from '@app/auth';
import { AppError } from '@app/common';
import { AssessmentProgressDto, AttemptDto, AttemptsDto, NewAttemptDto, ResetAttemptDto } from '../dto/results.dto';
import { ProgressQueryDto, StudentLessonDto } from '../dto/student-lesson.dto';
import { checkStudentAndLesson, CheckedLesson } from '../lesson-checks';
import { readLessonContext } from '../lesson-context.query';
import { LESSON_LINE_ITEM_CTE } from '../lesson-line-item.sql';
import { AttemptRow, readAttempts } from '../results/attempt-rows.query';

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function toAttempt(r: AttemptRow): AttemptDto {
  const startedAt = typeof r.metadata?.assignedAt === 'string' ? r.metadata.assignedAt : null;
  return {
    attempt: r.attempt,
    score: r.score ?? 0,
    scoreStatus: r.score_status,
    xp: null,
    startedAt,
    completedAt: r.finalized_at ? new Date(r.finalized_at).toISOString() : null,
  };
}

/** getAttempts, createNewAttempt, resetAttempt and getAssessmentProgress for external test lessons. */
@Injectable()
export class AttemptsService {
  constructor(private readonly em: EntityManager) {}

  async list(q: StudentLessonDto, principal?: Principal): Promise<AttemptsDto> {
    await this.check(q, principal);
    return { attempts: (await readAttempts(this.em, q.lesson, q.student)).map(toAttempt) };
  }

  /** A new attempt, only once the current one is finalized (the first attempt needs no predecessor). */
  async create(q: StudentLessonDto, principal?: Principal): Promise<NewAttemptDto> {
    const checked = await this.check(q, principal);
    const current = (await readAttempts(this.em, q.lesson, q.student)).at(-1);
    if (current && current.finalized_at === null) {
      throw AppError.unprocessable(`Attempt ${current.attempt} is not completed yet; finish it before starting a new one`, 'lesson');
    }
    const attempt = (current?.attempt ?? 0) + 1;
    const rows = await this.em.getConnection().execute<AttemptRow[]>(
      `with ${LESSON_LINE_ITEM_CTE}
       insert into assessment_results (sourced_id, line_item_sourced_id, student_sourced_id, attempt, score_status, metadata)
       select ?, li.sourced_id, ?, ?, 'not submitted', ?::jsonb from li
       on conflict (line_item_sourced_id, student_sourced_id, attempt) do nothing
       returning sourced_id, attempt, score, score_status, assignment_state, metadata, finalized_at`,
      [
        randomUUID(),
        `${checked.lesson.title} (external test)`,
        q.lesson,
        'createNewAttempt',
        randomUUID(),
        q.student,
        attempt,
        JSON.stringify({ attempt, toolProvider: checked.toolProvider, lessonType: checked.lesson.lessonType }),
      ],
    );
    if (rows.length === 0) throw new AppError('conflict', 'Another request created this attempt; read it with getAttempts', { retryAfterSeconds: 1 });
    return { attempt: toAttempt(rows[0]) };
  }

  /** External tests: only the score goes back to 0 (PowerPath contract). */
  async reset(q: StudentLessonDto, principal?: Principal): Promise<ResetAttemptDto> {
    await this.check(q, principal);
    const current = (await readAttempts(this.em, q.lesson, q.student)).at(-1);
    if (!current) throw AppError.unprocessable('There is no attempt to reset for this student and lesson', 'lesson');
    await this.em.getConnection().execute(
      'update assessment_results set score = 0, date_last_modified = now() where sourced_id = ?',
      [current.sourced_id],
    );
    return { success: true, score: 0 };
  }

  async progress(q: ProgressQueryDto, principal?: Principal): Promise<AssessmentProgressDto> {
    const checked = await this.check(q, principal);
    const rows = await readAttempts(this.em, q.lesson, q.student);
    const row = q.attempt === undefined ? rows.at(-1) : rows.find((r) => r.attempt === q.attempt);
    if (q.attempt !== undefined && !row) throw AppError.notFound('attempt', String(q.attempt));
    const meta = row?.metadata ?? {};
    const finalized = row?.finalized_at != null;
    const total = num(meta.totalQuestions) ?? 0;
    const correct = num(meta.correctQuestions) ?? 0;
    return {
      lessonType: checked.lesson.lessonType,
      finalized,
      score: row?.score ?? 0,
      questions: [],
      toolProvider: checked.toolProvider ?? null,
      ...(finalized ? { enrollmentFailed: meta.enrollmentFailed === true } : {}),
      attempt: row?.attempt ?? 1,
      xp: null,
      multiplier: null,
      accuracy: num(meta.accuracy) ?? (total > 0 ? Math.round((correct / total) * 10_000) / 100 : (row?.score ?? 0)),
      correctQuestions: correct,
      totalQuestions: total,
    };
  }

  private async check(q: StudentLessonDto, principal?: Principal): Promise<CheckedLesson> {
    return checkStudentAndLesson(await readLessonContext(this.em, q.student, q.lesson, 'default'), q.student, q.lesson, principal);
  }
}
