/** MasteryTrack names grades in search results and ranks them 0 (K) to 12 on assign/invalidate. */
export const GRADE_NAMES = [
  'Kindergarten',
  'First Grade',
  'Second Grade',
  'Third Grade',
  'Fourth Grade',
  'Fifth Grade',
  'Sixth Grade',
  'Seventh Grade',
  'Eighth Grade',
  'Ninth Grade',
  'Tenth Grade',
  'Eleventh Grade',
  'Twelfth Grade',
] as const;

/** A grade given as a number (0-12) or as a grade name, case-insensitive; undefined when invalid. */
export function parseGradeRank(value: string): number | undefined {
  const trimmed = value.trim();
  if (/^\d{1,2}$/.test(trimmed)) {
    const rank = Number(trimmed);
    return rank <= 12 ? rank : undefined;
  }
  const index = GRADE_NAMES.findIndex((name) => name.toLowerCase() === trimmed.toLowerCase());
  return index >= 0 ? index : undefined;
}

export function isGradeRank(value: number | undefined): value is number {
  return value !== undefined && value >= 0 && value <= 12;
}
