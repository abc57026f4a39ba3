import { EXTERNAL_LESSON_TYPES, LessonType } from '@app/providers';

type Meta = Record<string, unknown> | null | undefined;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** lessonType: componentResource column, then its metadata, then the resource metadata (ARCHITECTURE.md §4). */
export function lessonTypeOf(column: string | null | undefined, crMeta: Meta, resourceMeta: Meta): string | undefined {
  return str(column) ?? str(crMeta?.lessonType) ?? str(resourceMeta?.lessonType);
}

export function isExternalLessonType(t: string | undefined): t is LessonType {
  return t !== undefined && (EXTERNAL_LESSON_TYPES as readonly string[]).includes(t);
}

export function gradesOf(resourceMeta: Meta): string[] {
  const g = resourceMeta?.grades ?? resourceMeta?.grade;
  if (Array.isArray(g)) return g.map(String).filter(Boolean);
  return g === undefined || g === null || g === '' ? [] : [String(g)];
}

export function subjectOf(resourceMeta: Meta): string | undefined {
  const s = resourceMeta?.subject ?? (Array.isArray(resourceMeta?.subjects) ? resourceMeta?.subjects[0] : undefined);
  return str(s);
}

export function metaString(meta: Meta, key: string): string | undefined {
  return str(meta?.[key]);
}
