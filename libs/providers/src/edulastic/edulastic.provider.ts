import { Inject, Injectable, Optional } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppError, VENDOR_CALL_OBSERVER, VendorCallObserver, VendorHttpClient } from '@app/common';
import {
  AssignContext,
  ExternalAssignment,
  ExternalResult,
  ExternalTestProvider,
  LessonSpec,
  StoredAssignmentRef,
  ToolClassRef,
  ToolLoginRef,
} from '../external-test-provider';
import { PROVIDER_OPTIONS, ProviderOptions } from '../provider-options';
import { checkTestUrl } from '../test-url';
import { accountOf, resolveAccountName } from '../tool-accounts';
import { vendorHttp } from '../vendor-http';
import { EdulasticClient, TeacherSession } from './edulastic.client';
import { toExternalResult } from './edulastic-result';

const YEAR_MS = 365 * 24 * 3600 * 1000;

/**
 * Edulastic strategy: one class per (account, lesson), the student signed up by email with a generated
 * password (or their known login reused), the lesson's test (vendorId) assigned in that class.
 */
@Injectable()
export class EdulasticProvider implements ExternalTestProvider {
  readonly name = 'edulastic' as const;
  private readonly clients = new Map<string, EdulasticClient>();
  private readonly http?: VendorHttpClient;
  private readonly allowedLinkHosts: string[];

  constructor(
    @Inject(PROVIDER_OPTIONS) private readonly options: ProviderOptions,
    @Optional() @Inject(VENDOR_CALL_OBSERVER) observer?: VendorCallObserver,
  ) {
    const edu = options.edulastic;
    if (edu) this.http = vendorHttp('Edulastic', edu.baseUrl, options.http, observer);
    this.allowedLinkHosts = edu ? [new URL(edu.appUrl).host] : [];
  }

  get vendorHttpClient(): VendorHttpClient | undefined {
    return this.http;
  }

  resolveAccount(applicationName?: string): string {
    return resolveAccountName('Edulastic', this.options.edulastic?.accounts, applicationName);
  }

  checkLesson(lesson: LessonSpec): void {
    if (!lesson.vendorId) {
      throw AppError.unprocessable('Edulastic lessons need the test id in resource.vendorId (or metadata.vendorId)', 'resource.vendorId');
    }
  }

  async assign(ctx: AssignContext): Promise<ExternalAssignment> {
    const client = this.client(ctx.account);
    const teacher = await client.teacher();
    const toolClass = ctx.toolClass ?? (await this.createClass(client, teacher, ctx.lesson));
    const { login, fresh } = await this.studentLogin(client, teacher, toolClass, ctx);
    const testId = ctx.lesson.vendorId!;
    const now = Date.now();
    const { assignmentId, adopted } = await client.assign(
      {
        assignments: [
          {
            testId,
            startDate: now,
            endDate: now + YEAR_MS,
            openPolicy: 'Automatically on Start Date',
            closePolicy: 'Automatically on Due Date',
            testType: 'assessment',
            maxAttempts: 1,
            releaseScore: 'DONT_RELEASE',
            assignedBy: { _id: teacher.teacherId },
          },
        ],
        filters: {
          groups: [toolClass.classId],
          students: [{ groupId: toolClass.classId, studentsToAssign: [login.externalUserId] }],
        },
      },
      testId,
      toolClass.classId,
      login.externalUserId,
    );
    if (fresh) await client.verifyStudentLogin(login.email, login.password);
    return {
      assignmentId,
      classId: toolClass.classId,
      testId,
      testUrl: checkTestUrl('Edulastic', `${this.options.edulastic!.appUrl.replace(/\/+$/, '')}/assignments/embed/${testId}`, this.allowedLinkHosts),
      credentials: { email: login.email, password: login.password },
      adopted,
      ...(ctx.toolClass ? {} : { createdClass: toolClass }),
      ...(fresh ? { login } : {}),
    };
  }

  async fetchResult(ref: StoredAssignmentRef): Promise<ExternalResult> {
    if (!ref.classId) throw AppError.unprocessable('The stored Edulastic assignment has no classId');
    const activity = await this.client(ref.account).testActivity(ref.assignmentId, ref.classId);
    return toExternalResult(activity, ref.studentEmail);
  }

  private async createClass(client: EdulasticClient, teacher: TeacherSession, lesson: LessonSpec): Promise<ToolClassRef> {
    const now = Date.now();
    const group = await client.createClass({
      name: lesson.title,
      type: 'class',
      districtId: teacher.districtId,
      institutionId: teacher.institutionId,
      owners: [teacher.teacherId],
      subject: lesson.subject ?? 'Other Subjects',
      grades: lesson.grades,
      startDate: now,
      endDate: now + YEAR_MS,
    });
    return { classId: group._id, classCode: group.code };
  }

  /** The student's login in this class: the one we hold, else a new account (or a reset password). */
  private async studentLogin(
    client: EdulasticClient,
    teacher: TeacherSession,
    toolClass: ToolClassRef,
    ctx: AssignContext,
  ): Promise<{ login: ToolLoginRef; fresh: boolean }> {
    const classCode = toolClass.classCode ?? '';
    if (ctx.knownLogin) {
      await client.addExistingStudentToClass(classCode, ctx.knownLogin.email);
      return { login: ctx.knownLogin, fresh: false };
    }
    const password = randomBytes(18).toString('base64url');
    const { userId, existing } = await client.enrolNewStudent({
      classCode,
      role: 'student',
      email: ctx.student.email,
      username: ctx.student.email,
      password,
      firstName: ctx.student.givenName,
      lastName: ctx.student.familyName,
      districtId: teacher.districtId,
      institutionIds: [teacher.institutionId],
    });
    if (existing) {
      await client.addExistingStudentToClass(classCode, ctx.student.email);
      await client.setPassword(userId, password);
    }
    return { login: { externalUserId: userId, email: ctx.student.email, password }, fresh: true };
  }

  private client(account: string): EdulasticClient {
    let client = this.clients.get(account);
    if (!client) {
      client = new EdulasticClient(this.http!, accountOf(this.options.edulastic?.accounts, account));
      this.clients.set(account, client);
    }
    return client;
  }
}
