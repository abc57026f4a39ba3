import { Inject, Injectable, Optional } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import {
  AppError,
  VENDOR_CALL_OBSERVER,
  VendorCallObserver,
  VendorHttpClient,
  ErrorCode,
  withoutTrailingSlash,
} from '@external-tests/common';
import {
  AssignContext,
  ExternalAssignment,
  ExternalResult,
  LessonSpec,
  PulledResultsProvider,
  StoredAssignmentRef,
  StudentSpec,
} from '../external-test-provider';
import { ProviderOptions } from '../provider-options';
import { PROVIDER_OPTIONS } from '../provider.module-definition';
import { checkTestUrl } from '../test-url';
import { ToolClassRef, ToolLoginRef } from '../tool-ledger';
import { accountOf, resolveAccountName } from '../tool-accounts';
import { vendorHttp } from '../vendor-http';
import { EdulasticClient, TeacherSession } from './edulastic.client';
import { toExternalResult } from './edulastic-result';

const YEAR_MS = 365 * 24 * 3600 * 1000;

/** What a class carries so that we find it again after a crash: our ledger ref (docs/edulastic-calls.md). */
export const classDescription = (ref: string) => `external-test-assignments:${ref}`;

/**
 * Edulastic strategy: a class per (account, lesson, attempt) — Edulastic allows one attempt per assignment in a
 * class, so a retake gets a class of its own, as does an attempt whose user another student's record holds the test
 * for in that class — the student's login (signed up by email with a generated password, or the existing user's
 * password set to it, then proven), and the lesson's test (vendorId) assigned in that class. Every step goes through
 * the ledger, so a resumed request picks up where a dead one stopped. Results are pulled.
 */
@Injectable()
export class EdulasticProvider implements PulledResultsProvider {
  readonly name = 'edulastic' as const;
  readonly results = 'pulled' as const;
  // One request at a time per student: two lessons with one test, assigned at once, both passed checkTestFree.
  readonly assignsAlone = true;
  readonly readsGivenTests = true;
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
      throw AppError.invalidData(
        'Edulastic lessons need the test id in resource.vendorId (or metadata.vendorId)',
        'resource.vendorId',
      );
    }
  }

  /**
   * An Edulastic test link names the test, not the assignment (`/assignments/embed/<testId>`): while another lesson's
   * attempt of the student has the same test open, the student could not tell the two apart, and would take the one
   * Edulastic opens for whichever lesson. Refused as MasteryTrack's held tests are, before anything is made; under
   * the student's seat (`assignsAlone`), so no other lesson's assignment is made meanwhile.
   */
  private async checkTestFree(ctx: AssignContext): Promise<void> {
    const testId = ctx.lesson.vendorId;
    const holder = (await ctx.ledger.testsOfStudent()).find(
      (g) => g.testId === testId && !g.done && g.lessonSourcedId !== ctx.lesson.sourcedId,
    );
    if (!holder) return;
    const [held, remedy] = holder.recorded
      ? ['is assigned', 'finish that attempt first']
      : ['may be assigned (its call to Edulastic is unanswered)', "retry that lesson's assignment first"];
    throw new AppError(
      ErrorCode.TestHeld,
      `Edulastic test '${testId}' ${held} to this student for lesson '${holder.lessonSourcedId}' (attempt ` +
        `${holder.attempt}) and its link does not tell the two apart; ${remedy}`,
      { details: [{ field: 'lesson', value: ctx.lesson.sourcedId, heldByLesson: holder.lessonSourcedId }] },
    );
  }

  async assign(ctx: AssignContext): Promise<ExternalAssignment> {
    await this.checkTestFree(ctx);
    const client = this.client(ctx.account);
    const teacher = await client.teacher();
    const shared = await this.classOf(ctx, client, teacher, false);
    const classCode = shared.classCode ?? '';
    const loginSteps = {
      email: ctx.student.email,
      newPassword: () => randomBytes(18).toString('base64url'),
      establish: (credentials: { email: string; password: string }, adopt: (userId: string) => Promise<void>) =>
        this.establishLogin(client, teacher, classCode, ctx.student, credentials, adopt, ctx.deadlineAt),
    };
    let { login, fresh } = await ctx.ledger.studentLogin(loginSteps);
    // A login made for another lesson's class joins this one (a no-op when it is in already). When Edulastic no
    // longer knows its user (deleted, or another Edulastic), a new login replaces the recorded one.
    if (!fresh && !(await client.addExistingStudentToClass(classCode, login.email, ctx.deadlineAt))) {
      ({ login, fresh } = await ctx.ledger.studentLogin({ ...loginSteps, replacing: login }));
      if (!fresh) await client.addExistingStudentToClass(classCode, login.email, ctx.deadlineAt);
    }

    const made = await this.assignIn(ctx, client, teacher, shared, login);
    if (!('heldBy' in made)) return made;
    // The user passed on from another student whose assignment of this test is still in the shared class (Edulastic
    // takes nothing back, and gives a user one assignment of a test per class): this attempt gets a class of its own.
    const own = await this.classOf(ctx, client, teacher, true);
    if (!(await client.addExistingStudentToClass(own.classCode ?? '', login.email, ctx.deadlineAt))) {
      throw new AppError(ErrorCode.ToolBadResponse, "Edulastic no longer knows the student's user");
    }
    const ownMade = await this.assignIn(ctx, client, teacher, own, login);
    // Only this student's attempts use its own class: another student's assignment there is not Edulastic's to give.
    if ('heldBy' in ownMade) {
      throw new AppError(
        ErrorCode.ToolBadResponse,
        "Edulastic answered with another student's assignment in a class of this student's own",
      );
    }
    return ownMade;
  }

  private classOf(ctx: AssignContext, client: EdulasticClient, teacher: TeacherSession, own: boolean) {
    return ctx.ledger.toolClass({
      own,
      find: async (ref) => this.classRef(await client.findClass(classDescription(ref), ctx.deadlineAt)),
      create: async (ref) =>
        this.classRef(await client.createClass(this.classBody(teacher, ctx, ref, own), ctx.deadlineAt))!,
    });
  }

  /** The lesson's test assigned to the login in `toolClass`; `heldBy` when another student's record has it there. */
  private async assignIn(
    ctx: AssignContext,
    client: EdulasticClient,
    teacher: TeacherSession,
    toolClass: ToolClassRef,
    login: ToolLoginRef,
  ): Promise<ExternalAssignment | { heldBy: { lessonSourcedId: string; attempt: number } }> {
    const testId = ctx.lesson.vendorId!;
    const now = Date.now();
    ctx.ledger.assignCallStarting();
    const { assignmentId, existing } = await client.assign(
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
      { testId, classId: toolClass.classId, studentId: login.externalUserId },
      ctx.deadlineAt,
    );
    if (existing) {
      // The class is this attempt's, so its assignment is too — unless the ledger records it for another attempt.
      const owner = await ctx.ledger.ownerOf(assignmentId);
      if (owner.kind === 'other-attempt' && owner.anotherStudent) return { heldBy: owner };
      if (owner.kind === 'other-attempt') {
        throw new AppError(
          ErrorCode.ToolBadResponse,
          `Edulastic answered with the assignment of attempt ${owner.attempt} of lesson '${owner.lessonSourcedId}'`,
        );
      }
    }
    return {
      assignmentId,
      classId: toolClass.classId,
      testId,
      testUrl: checkTestUrl(
        'Edulastic',
        `${withoutTrailingSlash(this.options.edulastic!.appUrl)}/assignments/embed/${testId}`,
        this.allowedLinkHosts,
      ),
      credentials: { email: login.email, password: login.password },
      toolUserId: login.externalUserId,
      adopted: existing,
    };
  }

  async fetchResult(ref: StoredAssignmentRef, deadlineAt?: number): Promise<ExternalResult> {
    if (!ref.classId) throw AppError.invalidData('The stored Edulastic assignment has no classId');
    const student = 'toolUserId' in ref ? { userId: ref.toolUserId } : { email: ref.studentEmail };
    const activity = await this.client(ref.account).testActivity(ref.assignmentId, ref.classId, student, deadlineAt);
    return toExternalResult(activity, student);
  }

  private classBody(teacher: TeacherSession, ctx: AssignContext, ref: string, own: boolean): Record<string, unknown> {
    const now = Date.now();
    const name = ctx.attempt > 1 ? `${ctx.lesson.title} (attempt ${ctx.attempt})` : ctx.lesson.title;
    return {
      name: own ? `${name} (${[ctx.student.givenName, ctx.student.familyName].filter(Boolean).join(' ')})` : name,
      description: classDescription(ref),
      type: 'class',
      districtId: teacher.districtId,
      institutionId: teacher.institutionId,
      owners: [teacher.teacherId],
      subject: ctx.lesson.subject ?? 'Other Subjects',
      grades: ctx.lesson.grades,
      startDate: now,
      endDate: now + YEAR_MS,
    };
  }

  private classRef(group: { _id: string; code: string } | undefined): ToolClassRef | undefined {
    return group && { classId: group._id, classCode: group.code };
  }

  /**
   * Makes (email, password) a working student login in the class: a new account, or the existing user (made
   * by us before a crash, or by anyone) joined to the class with the password set to ours; then proven. An existing
   * user is adopted by the ledger first: one that is another student's login is refused before its password changes.
   */
  private async establishLogin(
    client: EdulasticClient,
    teacher: TeacherSession,
    classCode: string,
    student: StudentSpec,
    credentials: { email: string; password: string },
    adopt: (userId: string) => Promise<void>,
    deadlineAt: number,
  ): Promise<string> {
    const { userId, existing } = await client.enrolNewStudent(
      {
        classCode,
        role: 'student',
        email: credentials.email,
        username: credentials.email,
        password: credentials.password,
        firstName: student.givenName,
        lastName: student.familyName,
        districtId: teacher.districtId,
        institutionIds: [teacher.institutionId],
      },
      deadlineAt,
    );
    if (existing) {
      await adopt(userId);
      await client.addExistingStudentToClass(classCode, credentials.email, deadlineAt);
      await client.setPassword(userId, credentials.password, deadlineAt);
    }
    await client.verifyStudentLogin(credentials.email, credentials.password, deadlineAt);
    return userId;
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
