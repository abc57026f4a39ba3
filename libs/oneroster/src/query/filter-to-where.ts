import { AppError } from '@external-tests/common';
import { FieldMap, FieldSpec } from './field-spec';
import { FilterCondition, FilterExpression, FilterSyntaxError, parseFilter } from './filter-parser';

type Where = Record<string, unknown>;

const SQL_OP: Record<string, string> = { '=': '$eq', '!=': '$ne', '>': '$gt', '>=': '$gte', '<': '$lt', '<=': '$lte' };

function coerce(field: string, spec: FieldSpec, raw: string): unknown {
  switch (spec.type) {
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n))
        throw AppError.invalid(`filter value for ${field} must be a number`, 'filter');
      return n;
    }
    case 'date': {
      const d = new Date(raw);
      // PostgreSQL timestamps hold years 1–9999; anything else is not a date we can compare with.
      const year = d.getUTCFullYear();
      if (Number.isNaN(d.getTime()) || year < 1 || year > 9999 || !onTheCalendar(raw))
        throw AppError.invalid(`filter value for ${field} must be a date`, 'filter');
      return d;
    }
    case 'boolean':
      if (raw !== 'true' && raw !== 'false')
        throw AppError.invalid(`filter value for ${field} must be true or false`, 'filter');
      return raw === 'true';
    default:
      return raw;
  }
}

/**
 * A value that starts as an ISO 8601 date names a day that exists: `Date` rolls 2026-02-31 over to 3 March instead
 * of refusing it.
 */
function onTheCalendar(raw: string): boolean {
  const ymd = /^(\d{4})-(\d{2})-(\d{2})/.exec(raw);
  if (!ymd) return true;
  const [year, month, day] = [Number(ymd[1]), Number(ymd[2]), Number(ymd[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Makes %, _ and \ literal inside an ILIKE pattern (backslash is PostgreSQL's default escape). */
export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function condition(c: FilterCondition, fields: FieldMap): Where {
  if (c.value.includes('\u0000')) throw AppError.invalid('filter values cannot contain NUL characters', 'filter');
  // Own properties only: `constructor`, `toString`… are not fields.
  const spec = Object.hasOwn(fields, c.field) ? fields[c.field] : undefined;
  if (!spec)
    throw AppError.invalid(`Unknown filter field '${c.field}'; allowed: ${Object.keys(fields).join(', ')}`, 'filter');
  if (c.op === '~') {
    if (spec.type !== 'string') throw AppError.invalid(`~ applies to text fields only ('${c.field}')`, 'filter');
    return { [spec.prop]: { $ilike: `%${escapeLike(c.value)}%` } };
  }
  if (c.op === '@') {
    return { [spec.prop]: { $in: c.value.split(',').map((v) => coerce(c.field, spec, v.trim())) } };
  }
  return { [spec.prop]: { [SQL_OP[c.op]]: coerce(c.field, spec, c.value) } };
}

/** A filter string as a MikroORM query (values become bound parameters; fields are allow-listed). */
export function filterToWhere(filter: string, fields: FieldMap): Where {
  let expr: FilterExpression;
  try {
    expr = parseFilter(filter);
  } catch (e) {
    if (e instanceof FilterSyntaxError) throw AppError.invalid(`Invalid filter: ${e.message}`, 'filter');
    throw e;
  }
  const groups = expr.map((group) => ({ $and: group.map((c) => condition(c, fields)) }));
  return groups.length === 1 ? groups[0] : { $or: groups };
}
