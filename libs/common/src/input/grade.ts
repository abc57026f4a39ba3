/**
 * A grade in the one spelling subject tracks are stored and looked up by: trimmed; a grade number without leading
 * zeros (OneRoster's CEDS codes write `04`, PowerPath's lessons `4`); kindergarten (`K`, `KG`, any case) as `K`.
 * Any other text (`PK`, `Other`) is kept as written, trimmed. So a track put for `05` serves a lesson of grade `5`.
 */
export function canonicalGrade(grade: string): string {
  const g = grade.trim();
  // Leading zeros off (a BigInt of a long run of digits would cost time in the length of what a caller sent).
  if (/^\d+$/.test(g)) return g.replace(/^0+(?=\d)/, '');
  return /^kg?$/i.test(g) ? 'K' : g;
}
