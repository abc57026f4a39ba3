import { AppError, decimalInteger, textOnce } from '@external-tests/common';
import { FieldMap } from './field-spec';
import { escapeLike, filterToWhere } from './filter-to-where';

export interface ListQueryParams {
  limit?: string;
  offset?: string;
  sort?: string;
  orderBy?: string;
  filter?: string;
  fields?: string;
  search?: string;
}

export interface ListQuery {
  limit: number;
  offset: number;
  where: Record<string, unknown>;
  orderBy: Record<string, 'asc' | 'desc'>;
  fields?: string[];
}

const MAX_LIMIT = 3000;

function onceEach(q: object): void {
  for (const [name, value] of Object.entries(q)) textOnce(name, value);
}

/**
 * `fields` (comma-separated) against the fields the response object has; undefined = every field, also when it names
 * none (`fields=` or `fields=,,`: objects with no field at all would be no answer).
 */
function parseFields(raw: string | undefined, responseFields: string[]): string[] | undefined {
  const selected = (raw ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  if (selected.length === 0) return undefined;
  const unknown = selected.filter((f) => !responseFields.includes(f));
  if (unknown.length > 0) throw AppError.invalid(`Unknown fields: ${unknown.join(', ')}`, 'fields');
  return selected;
}

/** The parameters of a single-object GET: only `fields`, validated as on lists. */
export function parseFieldsQuery(q: { fields?: string }, responseFields: string[]): string[] | undefined {
  onceEach({ fields: q.fields });
  return parseFields(q.fields, responseFields);
}

/** Parses OneRoster list parameters against a collection's allow-listed fields. */
export function parseListQuery(
  q: ListQueryParams,
  fields: FieldMap,
  responseFields: string[],
  searchFields: string[] = [],
): ListQuery {
  onceEach(q);
  const limit = decimalInteger('limit', q.limit, 100, 1, MAX_LIMIT);
  const offset = decimalInteger('offset', q.offset, 0, 0, Number.MAX_SAFE_INTEGER);
  const clauses: Record<string, unknown>[] = [];
  if (q.filter !== undefined) clauses.push(filterToWhere(q.filter, fields));
  if (q.search !== undefined && q.search.trim() && searchFields.length > 0) {
    if (q.search.includes('\u0000')) throw AppError.invalid('search cannot contain NUL characters', 'search');
    const term = `%${escapeLike(q.search.trim())}%`;
    clauses.push({ $or: searchFields.map((f) => ({ [fields[f].prop]: { $ilike: term } })) });
  }
  let orderBy: Record<string, 'asc' | 'desc'> = { sourcedId: 'asc' };
  if (q.orderBy !== undefined && q.orderBy !== 'asc' && q.orderBy !== 'desc')
    throw AppError.invalid('orderBy must be asc or desc', 'orderBy');
  if (q.sort !== undefined && q.sort !== '') {
    const spec = Object.hasOwn(fields, q.sort) ? fields[q.sort] : undefined;
    if (!spec) throw AppError.invalid(`Unknown sort field '${q.sort}'`, 'sort');
    // sourcedId breaks ties so pages never overlap.
    orderBy = { [spec.prop]: q.orderBy ?? 'asc', ...(spec.prop === 'sourcedId' ? {} : { sourcedId: 'asc' }) };
  }
  const selected = parseFields(q.fields, responseFields);
  return {
    limit,
    offset,
    where: clauses.length === 0 ? {} : clauses.length === 1 ? clauses[0] : { $and: clauses },
    orderBy,
    fields: selected,
  };
}
