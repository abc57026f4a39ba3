import type { RequestHandler } from 'express';
import { singleQueryValue } from '../body';
import type { MasteryTrackContext } from './context';
import { sendError } from './errors';
import { parseGradeRank } from './grades';
import { equalsIgnoreCase } from './store';
import { testView } from './views';

const PARAMS = ['name', 'timeback_id', 'grade', 'subject', 'all'] as const;

/**
 * `GET /authoring/inventory/search`: all filters optional and case-insensitive; only supported tests
 * unless `all=true`; sorted by subject, grade_rank, name (version is always 1 here).
 */
export function inventoryRoute(ctx: MasteryTrackContext): RequestHandler {
  return (req, res) => {
    const details: Record<string, string> = {};
    const q: Partial<Record<(typeof PARAMS)[number], string>> = {};
    for (const param of PARAMS) {
      const raw = req.query[param];
      if (raw === undefined) continue;
      const value = singleQueryValue(raw);
      if (value === undefined) details[param] = 'Must be given once';
      else q[param] = value;
    }
    const gradeRank = q.grade === undefined ? undefined : parseGradeRank(q.grade);
    if (q.grade !== undefined && gradeRank === undefined) details.grade = 'Invalid grade format';
    if (q.all !== undefined && !['true', 'false'].includes(q.all.toLowerCase())) {
      details.all = 'Must be true or false';
    }
    if (Object.keys(details).length > 0) {
      return sendError(res, 400, 'Invalid search parameters', 'INVALID_PARAMETERS', { details });
    }

    const includeUnsupported = q.all?.toLowerCase() === 'true';
    const data = ctx.store.tests
      .filter((t) => includeUnsupported || ctx.store.isSupported(t))
      .filter((t) => q.name === undefined || t.name.toLowerCase().includes(q.name.toLowerCase()))
      .filter((t) => q.timeback_id === undefined || equalsIgnoreCase(t.timeback_id, q.timeback_id))
      .filter((t) => q.subject === undefined || equalsIgnoreCase(t.subject, q.subject))
      .filter((t) => gradeRank === undefined || t.grade_rank === gradeRank)
      .sort((a, b) => a.subject.localeCompare(b.subject) || a.grade_rank - b.grade_rank || a.name.localeCompare(b.name))
      .map((t) => testView(ctx, t));
    res.json({ success: true, data });
  };
}
