import { AppError } from '@external-tests/common';
import { FieldMap, FieldSpec } from './field-spec';
import { FilterCondition, FilterExpression, FilterSyntaxError, parseFilter } from './filter-parser';

type Where = Record<string, unknown>;

const SQL_OP: Record<string, string> = { '=': '$eq', '!=': '$ne', '>': '$gt', '>=': '$gte', '<': '$lt', '<=': '$lte' };

const DECIMAL = /^-?\d+(?:\.\d+)?$/;

function coerce(field: string, spec: FieldSpec, raw: string): unknown {
  switch (spec.type) {
    case 'number': {
      // Decimal only: Number() would also take ' 5', '0x10' and '1e3'.
      const n = Number(raw);
      if (!DECIMAL.test(raw) || !Number.isFinite(n))
        throw AppError.invalid(`filter value for ${field} must be a number`, 'filter');
      return n;
    }
    case 'date': {
      const d = new Date(raw);
      // PostgreSQL timestamps hold years 1–9999; anything else is not a date we can compare with.
      const year = d.getUTCFullYear();
      if (!onTheCalendar(raw) || Number.isNaN(d.getTime()) || year < 1 || year > 9999)
        throw AppError.invalid(
          `filter value for ${field} must be a date (ISO 8601: 2026-02-01 or 2026-02-01T10:00:00Z)`,
          'filter',
        );
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

/** An ISO 8601 date, or date and time, as OneRoster writes them (a `T` or a space before the time). */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * An ISO 8601 date whose day exists. `Date` takes other shapes too (`Feb 31 2026`, `2026/02/31`), and rolls a day
 * past the month's end over into the next month (2026-02-31 is 3 March) instead of refusing it.
 */
function onTheCalendar(raw: string): boolean {
  const ymd = ISO_DATE.exec(raw);
  if (!ymd) return false;
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
