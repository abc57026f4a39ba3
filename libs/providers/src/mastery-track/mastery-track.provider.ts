import { Inject, Injectable, Optional } from '@nestjs/common';
import { AppError, VENDOR_CALL_OBSERVER, VendorCallObserver, VendorHttpClient, VendorTransportError } from '@app/common';
import { AssignContext, ExternalAssignment, ExternalTestProvider, LessonSpec } from '../external-test-provider';
import { PROVIDER_OPTIONS, ProviderOptions } from '../provider-options';
import { checkTestUrl } from '../test-url';
import { accountOf, resolveAccountName } from '../tool-accounts';
import { vendorHttp } from '../vendor-http';
import { gradeRank } from './grade-rank';
import { MasteryTrackClient } from './mastery-track.client';

/**
 * MasteryTrack strategy: assign by testId, else by subject + grade rank, with the line item and result
 * sourcedIds so MasteryTrack writes the score back to our gradebook. Students sign in with their platform
 * identity, so no credentials are returned.
 */
@Injectable()
export class MasteryTrackProvider implements ExternalTestProvider {
  readonly name = 'mastery-track' as const;
  private readonly clients = new Map<string, MasteryTrackClient>();
  private readonly http?: VendorHttpClient;

  constructor(
    @Inject(PROVIDER_OPTIONS) private readonly options: ProviderOptions,
    @Optional() @Inject(VENDOR_CALL_OBSERVER) observer?: VendorCallObserver,
  ) {
    const mt = options.masteryTrack;
    if (mt) this.http = vendorHttp('MasteryTrack', mt.baseUrl, options.http, observer);
  }

  get vendorHttpClient(): VendorHttpClient | undefined {
    return this.http;
  }

  resolveAccount(applicationName?: string): string {
    return resolveAccountName('MasteryTrack', this.options.masteryTrack?.accounts, applicationName);
  }

  checkLesson(lesson: LessonSpec, testId?: string): void {
    if (testId) return;
    if (!lesson.subject) {
      throw AppError.unprocessable('MasteryTrack lessons need resource.metadata.subject (or a testId)', 'resource.metadata.subject');
    }
    if (gradeRank(lesson.grades[0]) === undefined) {
      throw AppError.unprocessable(
        'MasteryTrack lessons need resource.metadata.grades with a grade from K to 12 (or a testId)',
        'resource.metadata.grades',
      );
    }
  }

  async assign(ctx: AssignContext): Promise<ExternalAssignment> {
    const { assignment, adopted } = await this.client(ctx.account).assign({
      student_email: ctx.student.email,
      ...(ctx.testId
        ? { timeback_id: ctx.testId }
        : { subject: ctx.lesson.subject, grade_rank: gradeRank(ctx.lesson.grades[0]) }),
      assessment_line_item_sourced_id: ctx.lineItemSourcedId,
      assessment_result_sourced_id: ctx.resultSourcedId,
    });
    if (assignment.student_email.toLowerCase() !== ctx.student.email.toLowerCase()) {
      throw new VendorTransportError('MasteryTrack', 'bad_response', 'returned an assignment of another student');
    }
    const assignmentId = String(assignment.id);
    return {
      assignmentId,
      classId: '',
      testId: ctx.testId ?? assignmentId,
      testUrl: checkTestUrl('MasteryTrack', assignment.test_url, this.options.masteryTrack!.testUrlHosts),
      adopted,
    };
  }

  private client(account: string): MasteryTrackClient {
    let client = this.clients.get(account);
    if (!client) {
      client = new MasteryTrackClient(this.http!, accountOf(this.options.masteryTrack?.accounts, account));
      this.clients.set(account, client);
    }
    return client;
  }
}
