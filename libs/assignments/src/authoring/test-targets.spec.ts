import { AppError } from '@external-tests/common';
import type { CourseLessonRecord, CourseTestLessons } from '@external-tests/persistence';
import { activeLessonsOf, checkCourse, targetOf, unrecordedLessonOf } from './test-targets';

const lesson = (
  sourcedId: string,
  resourceMetadata: Record<string, unknown> | null,
  o: Partial<CourseLessonRecord> = {},
): CourseLessonRecord => ({
  sourcedId,
  lessonType: null,
  metadata: null,
  resourceMetadata,
  ...o,
});

const course = (lessons: CourseLessonRecord[], recorded: CourseTestLessons['recorded'] = []): CourseTestLessons => ({
  course: { sourcedId: 'c', status: 'active', title: 'Math', org: 'org-a', subjects: ['Math'] },
  recorded,
  lessons,
});

describe('authoring targets', () => {
  const testOut = targetOf('c', 'test-out', ['4']);
  const placement4 = targetOf('c', 'placement', ['4', '5']);

  it('a test-out is per course; a placement per course and the first of its grades; a placement needs one', () => {
    expect(testOut).toEqual({ courseSourcedId: 'c', lessonType: 'test-out', grade: '' });
    expect(placement4).toEqual({ courseSourcedId: 'c', lessonType: 'placement', grade: '4' });
    expect(() => targetOf('c', 'placement', [])).toThrow(AppError);
  });

  it('reads lessonType as the assignment flow does (column, then lesson metadata, then resource metadata)', () => {
    const c = course([
      lesson('quiz', { lessonType: 'quiz' }),
      lesson('column', { lessonType: 'quiz' }, { lessonType: 'test-out' }),
      lesson('meta', null, { metadata: { lessonType: 'test-out' } }),
    ]);
    expect(unrecordedLessonOf(c, testOut)).toBe('column');
  });

  it('matches a placement by its first grade only', () => {
    const c = course([
      lesson('p3', { lessonType: 'placement', grades: ['3', '4'] }),
      lesson('p4', { lessonType: 'placement', grade: '4' }),
    ]);
    expect(unrecordedLessonOf(c, placement4)).toBe('p4');
    expect(unrecordedLessonOf(c, targetOf('c', 'placement', ['5']))).toBeUndefined();
  });

  it('never takes another target’s recorded lesson; the recorded one wins while it is active', () => {
    const lessons = [lesson('a', { lessonType: 'test-out' }), lesson('b', { lessonType: 'test-out' })];
    expect(
      unrecordedLessonOf(course(lessons, [{ lessonType: 'placement', grade: '4', lessonSourcedId: 'a' }]), testOut),
    ).toBe('b');
    expect(
      activeLessonsOf(course(lessons, [{ lessonType: 'test-out', grade: '', lessonSourcedId: 'b' }]), testOut),
    ).toEqual(['b']);
    // Recorded but deleted (not among the active lessons): the course's other test-outs, in course order.
    expect(
      activeLessonsOf(course(lessons, [{ lessonType: 'test-out', grade: '', lessonSourcedId: 'gone' }]), testOut),
    ).toEqual(['a', 'b']);
  });

  it('a course of another org is not found, like a missing or deleted one', () => {
    const c = course([]);
    expect(checkCourse(c, 'c', { clientId: 'x', scopes: new Set(), org: 'org-a' })).toBe(c);
    for (const [doc, org] of [
      [undefined, undefined],
      [c, 'org-b'],
      [{ ...c, course: { ...c.course, status: 'tobedeleted' as const } }, undefined],
    ] as const) {
      expect(() => checkCourse(doc, 'c', { clientId: 'x', scopes: new Set(), org })).toThrow("course 'c' not found");
    }
  });
});
