/** MasteryTrack's grade_rank (0-12) from a OneRoster grade ("K", "03", "3", "Third Grade" is not accepted). */
export function gradeRank(grade: string | undefined): number | undefined {
  if (grade === undefined) return undefined;
  const g = grade.trim().toUpperCase();
  if (g === 'K' || g === 'KG') return 0;
  if (!/^\d{1,2}$/.test(g)) return undefined;
  const n = Number(g);
  return Number.isInteger(n) && n >= 0 && n <= 12 ? n : undefined;
}
