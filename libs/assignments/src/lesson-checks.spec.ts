import { AppError, ErrorCode } from '@external-tests/common';
import type { LessonContext } from '@external-tests/persistence';
import { checkStudentAndLesson, withEmail } from './lesson-checks';

const context = (
  o: {
    student?: Partial<NonNullable<LessonContext['student']>>;
    lesson?: Partial<NonNullable<LessonContext['lesson']>>;
  } = {},
): LessonContext => ({
  student: {
    sourcedId: 's1',
    status: 'active',
    email: 'ada@example.org',
    givenName: 'Ada',
    familyName: 'Lovelace',
    role: 'student',
    roles: [{ role: 'student', org: { sourcedId: 'org-a' } }],
    primaryOrg: null,
    enabledUser: true,
    ...o.student,
  },
  lesson: {
    sourcedId: 'l1',
    status: 'active',
    title: 'Math 4 test-out',
    lessonType: null,
    metadata: null,
    org: 'org-a',
    resource: {
      sourcedId: 'r1',
      status: 'active',
      metadata: { toolProvider: 'mastery-track', lessonType: 'test-out', subject: 'Math', grades: ['4'] },
      vendorId: null,
    },
    ...o.lesson,
  },
  nextAttempt: 1,
  readAt: '2026-12-02T10:00:00.000Z',
});

function failure(ctx: LessonContext, org?: string): AppError {
  try {
    checkStudentAndLesson(ctx, 's1', 'l1', org ? { clientId: 'c', scopes: new Set(), org } : undefined);
  } catch (e) {
    return e as AppError;
  }
  throw new Error('expected a failure');
}

describe('checkStudentAndLesson', () => {
  it('answers the student and lesson the tools need', () => {
    expect(checkStudentAndLesson(context(), 's1', 'l1')).toEqual({
      student: { sourcedId: 's1', email: 'ada@example.org', givenName: 'Ada', familyName: 'Lovelace' },
      lesson: {
        sourcedId: 'l1',
        title: 'Math 4 test-out',
        lessonType: 'test-out',
        subject: 'Math',
        grades: ['4'],
        vendorId: undefined,
      },
      toolProvider: 'mastery-track',
    });
  });

  it('404 for a missing or deleted student or lesson, and for either outside the token org (the same answer)', () => {
    expect(failure({ ...context(), student: undefined }).code).toBe(ErrorCode.NotFound);
    expect(failure(context({ student: { status: 'tobedeleted' } })).message).toBe("student 's1' not found");
    expect(failure(context({ lesson: { status: 'tobedeleted' } })).message).toBe("lesson 'l1' not found");
    expect(failure(context(), 'org-b').message).toBe("student 's1' not found");
    expect(
      failure(context({ student: { roles: [{ role: 'student', org: { sourcedId: 'org-b' } }] } }), 'org-b').message,
    ).toBe("lesson 'l1' not found");
  });

  it('422 for a non-student, a lesson without resource or not an external test', () => {
    expect(failure(context({ student: { role: 'teacher', roles: [] } })).message).toMatch(/is not a student/);
    expect(failure(context({ lesson: { resource: undefined } })).message).toMatch(/has no active resource/);
    expect(failure(context({ lesson: { lessonType: 'quiz' } })).message).toMatch(
      /not an external test-out, placement or unit-test/,
    );
    expect(failure(context({ lesson: { lessonType: 'quiz' } })).code).toBe(ErrorCode.InvalidData);
  });

  it('checks a student without email; asking a tool about them is a 422', () => {
    const { student } = checkStudentAndLesson(context({ student: { email: null } }), 's1', 'l1');
    expect(student.email).toBeNull();
    const refused = (() => {
      try {
        withEmail(student);
      } catch (e) {
        return e as AppError;
      }
      throw new Error('withEmail accepted a student without email');
    })();
    expect([refused.code, refused.message]).toEqual([
      ErrorCode.InvalidData,
      "Student 's1' has no email: the tools know a student by email only",
    ]);
    expect(withEmail({ ...student, email: 'ada@example.org' }).email).toBe('ada@example.org');
  });
});
