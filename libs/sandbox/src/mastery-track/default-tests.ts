import { createHash } from 'node:crypto';
import { GRADE_NAMES } from './grades';
import type { MasteryTrackSandboxTest } from './options';

/** Stable ids (derived from the name) so demo data can reference them across restarts. */
function timebackId(name: string): string {
  return `_${createHash('sha256').update(name).digest('hex').slice(0, 24)}`;
}

function test(subject: string, gradeRank: number, form = 1, supported = true): MasteryTrackSandboxTest {
  const name = `Alpha Standardized ${subject} G${gradeRank}.${form}`;
  return {
    timeback_id: timebackId(name),
    name,
    subject,
    grade: GRADE_NAMES[gradeRank],
    grade_rank: gradeRank,
    supported,
    questionCount: 20,
  };
}

const GRADE_RANKS = [3, 4, 5, 6, 7, 8];

/**
 * Math, Reading and Science for grades 3-8 (form 1), two more Math forms per grade (3 and 4: several lessons or
 * retakes of one subject and grade each get a test of their own), plus one unsupported Math G3 test (form 2,
 * for 422 / `all=true`).
 */
export const DEFAULT_MASTERY_TRACK_TESTS: readonly MasteryTrackSandboxTest[] = Object.freeze([
  ...['Math', 'Reading', 'Science'].flatMap((subject) => GRADE_RANKS.map((rank) => test(subject, rank))),
  ...GRADE_RANKS.flatMap((rank) => [test('Math', rank, 3), test('Math', rank, 4)]),
  test('Math', 3, 2, false),
]);
