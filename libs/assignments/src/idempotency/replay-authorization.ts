import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Principal } from '@app/auth';
import { AppError } from '@app/common';
import { checkStudentAndLesson } from '../lesson-checks';
import { readLessonContext } from '../lesson-context.query';

/**
 * The checks the handler makes before it touches anything — the student and lesson exist and are within the
 * caller's org — run again before a stored answer is replayed: data changes (a student moves to another org, a
 * lesson is deleted), and a replay must never tell a caller more than the handler would tell them now.
 */
@Injectable()
export class ReplayAuthorization {
  constructor(private readonly em: EntityManager) {}

  async check(body: unknown, principal: Principal | undefined): Promise<void> {
    const { student, lesson, applicationName } = (body ?? {}) as { student?: unknown; lesson?: unknown; applicationName?: unknown };
    // The fingerprint matched a request that passed validation, so these are strings; anything else is no replay.
    if (typeof student !== 'string' || typeof lesson !== 'string') throw AppError.invalid('student and lesson are required');
    const account = typeof applicationName === 'string' ? applicationName : 'default';
    checkStudentAndLesson(await readLessonContext(this.em, student, lesson, account), student, lesson, principal);
  }
}
