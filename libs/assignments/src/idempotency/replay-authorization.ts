import { Injectable } from '@nestjs/common';
import type { Principal } from '@external-tests/auth';
import { AppError } from '@external-tests/common';
import { LessonResolver } from '../lesson-resolver';

/**
 * The checks the handler makes before it touches anything — the student and lesson exist and are within the
 * caller's org (LessonResolver) — run again before a stored answer is replayed: data changes (a student moves to
 * another org, a lesson is deleted), and a replay must never tell a caller more than the handler would tell them now.
 */
@Injectable()
export class ReplayAuthorization {
  constructor(private readonly lessons: LessonResolver) {}

  async check(body: unknown, principal: Principal | undefined): Promise<void> {
    const { student, lesson, applicationName } = (body ?? {}) as {
      student?: unknown;
      lesson?: unknown;
      applicationName?: unknown;
    };
    // The fingerprint matched a request that passed validation, so these are strings; anything else is no replay.
    if (typeof student !== 'string' || typeof lesson !== 'string')
      throw AppError.invalid('student and lesson are required');
    await this.lessons.resolve(
      student,
      lesson,
      principal,
      typeof applicationName === 'string' ? applicationName : undefined,
    );
  }
}
