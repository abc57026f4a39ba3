/**
 * A grade in the one spelling subject tracks are stored and looked up by, PowerPath's numbers (-1 to 13): trimmed; a
 * grade number without leading zeros (OneRoster's CEDS codes write `04`, PowerPath's lessons `4`); kindergarten (`K`,
 * `KG`, any case) as `0` and pre-kindergarten (`PK`) as `-1`, as PowerPath's lessons number them. Any other text
 * (`Other`) is kept as written, trimmed. So a track put for `05` serves a lesson of grade `5`, and one for `KG` grade 0.
 */
export function canonicalGrade(grade: string): string {
  const g = grade.trim();
  // Leading zeros off (a BigInt of a long run of digits would cost time in the length of what a caller sent).
  if (/^-?\d+$/.test(g)) {
    const n = g.replace(/^(-?)0+(?=\d)/, '$1');
    return n === '-0' ? '0' : n;
  }
  if (/^kg?$/i.test(g)) return '0';
  return /^pk$/i.test(g) ? '-1' : g;
}
