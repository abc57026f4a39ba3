import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@app/auth';
import { AppError, VendorTransportError } from '@app/common';
import { ProviderRegistry } from '@app/providers';
import { ASSIGNMENTS_OPTIONS, AssignmentsOptions } from '../assignments-options';
import { ImportResultsDto } from '../dto/results.dto';
import { ImportResultsQueryDto } from '../dto/student-lesson.dto';
import { checkStudentAndLesson } from '../lesson-checks';
import { readLessonContext } from '../lesson-context.query';
import { readAttempts } from './attempt-rows.query';
import { FinalizationService } from './finalization.service';
import { isFinal, storeImportedResult } from './imported-result.store';
import { storedAssignmentFields } from '../stored-assignment';

/**
 * importExternalTestAssignmentResults: Edulastic results are pulled and stored; MasteryTrack results arrive by
 * write-back and are only checked. Either way finalization goes through FinalizationService. An attempt that is
 * already final is answered as it is, without calling the tool.
 */
@Injectable()
export class ResultImportService {
  constructor(
    private readonly em: EntityManager,
    private readonly providers: ProviderRegistry,
    private readonly finalization: FinalizationService,
    @Inject(ASSIGNMENTS_OPTIONS) private readonly options: AssignmentsOptions,
  ) {}

  async import(q: ImportResultsQueryDto, principal?: Principal): Promise<ImportResultsDto> {
    const context = await readLessonContext(this.em, q.student, q.lesson, q.applicationName ?? 'default');
    const checked = checkStudentAndLesson(context, q.student, q.lesson, principal);
    const provider = this.providers.get(checked.toolProvider);
    const account = provider.resolveAccount(q.applicationName);
    const current = (await readAttempts(this.em, q.lesson, q.student)).at(-1);
    const meta = current?.metadata ?? {};
    if (!current || current.assignment_state !== 'assigned' || typeof meta.assignmentId !== 'string') {
      throw AppError.unprocessable(
        'Credentials for data consumption are not available: no test assignment was made for this student and lesson',
        'lesson',
      );
    }
    let finalized = current.finalized_at !== null;
    if (!finalized && provider.fetchResult) {
      const result = await provider
        .fetchResult({
          account,
          assignmentId: meta.assignmentId,
          classId: typeof meta.classId === 'string' ? meta.classId : undefined,
          studentEmail: checked.student.email,
          testId: typeof meta.testId === 'string' ? meta.testId : undefined,
        })
        .catch((e: unknown) => {
          throw e instanceof VendorTransportError ? e.toAppError() : e;
        });
      await storeImportedResult(
        this.em,
        { resultSourcedId: current.sourced_id, lineItemSourcedId: current.line_item, studentSourcedId: q.student, attempt: current.attempt },
        result,
      );
      if (isFinal(result)) {
        await this.finalization.finalize(current.sourced_id);
        finalized = true;
      }
    } else if (!finalized && current.score_status === 'fully graded' && meta.masteryTrackProcessed === true) {
      await this.finalization.finalize(current.sourced_id);
      finalized = true;
    }
    return {
      lessonType: checked.lesson.lessonType,
      lessonId: checked.lesson.sourcedId,
      toolProvider: provider.name,
      finalized,
      attempt: current.attempt,
      ...storedAssignmentFields(meta, { cipher: this.options.cipher, value: current.credentials_sealed, resultSourcedId: current.sourced_id }),
    };
  }
}
