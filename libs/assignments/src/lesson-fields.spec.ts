import { gradesOf, isExternalLessonType, lessonTypeOf, metaString, subjectOf } from './lesson-fields';

describe('lesson fields (ARCHITECTURE.md §4)', () => {
  it('lessonType: the component resource column, then its metadata, then the resource metadata', () => {
    expect(lessonTypeOf('placement', { lessonType: 'quiz' }, { lessonType: 'unit-test' })).toBe('placement');
    expect(lessonTypeOf(null, { lessonType: 'test-out' }, { lessonType: 'unit-test' })).toBe('test-out');
    expect(lessonTypeOf('  ', null, { lessonType: 'unit-test' })).toBe('unit-test');
    expect(lessonTypeOf(undefined, undefined, undefined)).toBeUndefined();
  });

  it('only test-out, placement and unit-test are external tests', () => {
    expect(['test-out', 'placement', 'unit-test'].every(isExternalLessonType)).toBe(true);
    expect(['quiz', 'Test-Out', '', undefined].some((t) => isExternalLessonType(t))).toBe(false);
  });

  it('grades: an array or one value, as strings; blank means none', () => {
    expect(gradesOf({ grades: ['4', 5] })).toEqual(['4', '5']);
    expect(gradesOf({ grade: 'K' })).toEqual(['K']);
    expect(gradesOf({ grades: '' })).toEqual([]);
    expect(gradesOf(null)).toEqual([]);
  });

  it('subject: `subject`, else the first of `subjects`, trimmed; metaString ignores blanks and non-strings', () => {
    expect(subjectOf({ subject: ' Math ' })).toBe('Math');
    expect(subjectOf({ subjects: ['Reading', 'Math'] })).toBe('Reading');
    expect(subjectOf({ subject: 3 })).toBeUndefined();
    expect(metaString({ vendorId: '  ' }, 'vendorId')).toBeUndefined();
    expect(metaString({ vendorId: 'abc' }, 'vendorId')).toBe('abc');
  });
});
