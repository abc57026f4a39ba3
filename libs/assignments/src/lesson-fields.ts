import { EXTERNAL_LESSON_TYPES, LessonType } from '@external-tests/providers';

type Meta = Record<string, unknown> | null | undefined;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** lessonType: componentResource column, then its metadata, then the resource metadata (ARCHITECTURE.md §4). */
export function lessonTypeOf(column: string | null | undefined, crMeta: Meta, resourceMeta: Meta): string | undefined {
  return str(column) ?? str(crMeta?.lessonType) ?? str(resourceMeta?.lessonType);
}

export function isExternalLessonType(t: string | undefined): t is LessonType {
  return t !== undefined && (EXTERNAL_LESSON_TYPES as readonly string[]).includes(t);
}

/** A grade is a string or a number; anything else in the metadata (an object, a boolean) is no grade. */
const gradeText = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v).trim() : '');

export function gradesOf(resourceMeta: Meta): string[] {
  const g = resourceMeta?.grades ?? resourceMeta?.grade;
  return (Array.isArray(g) ? (g as unknown[]) : [g]).map(gradeText).filter(Boolean);
}

export function subjectOf(resourceMeta: Meta): string | undefined {
  const subjects = resourceMeta?.subjects;
  const s = resourceMeta?.subject ?? (Array.isArray(subjects) ? (subjects as unknown[])[0] : undefined);
  return str(s);
}

export function metaString(meta: Meta, key: string): string | undefined {
  return str(meta?.[key]);
}
