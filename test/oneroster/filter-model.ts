/**
 * An independent, in-memory model of the 1EdTech filter language as the OneRoster list endpoints document it,
 * used as the oracle of filter.property.e2e-spec.ts. It deliberately shares no code with
 * libs/oneroster/src/query: conditions are built as data, serialised to filter text here and evaluated here.
 *
 * Semantics modelled:
 *  - an expression is an OR of AND-groups (AND binds tighter, no parentheses);
 *  - `=` / `!=` compare exactly (text is compared code unit by code unit, booleans as booleans);
 *  - `>` `>=` `<` `<=` compare text by code unit order: the generators only use them on lowercase ASCII
 *    letters/digits, where every PostgreSQL collation agrees with that order;
 *  - `~` is a case-insensitive "contains" in which `%`, `_` and `\` are literal (ASCII data only, so JS
 *    lower-casing agrees with ILIKE);
 *  - `@` is "equal to one of" the comma-separated items, whitespace around each item ignored.
 */

export type Op = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~' | '@';

export interface Cond {
  field: string;
  op: Op;
  /** The value as it appears between the quotes, unescaped. */
  value: string;
}

/** Disjunctive normal form: OR of AND-groups. */
export type Expr = Cond[][];

export type FieldValue = string | boolean | null;
export type Row = Record<string, FieldValue>;

/** `'O''Brien'` for O'Brien. */
export const quote = (v: string): string => `'${v.replace(/'/g, "''")}'`;

export interface SerialiseStyle {
  /** Spaces around the operator (`givenName = 'x'` instead of `givenName='x'`). */
  spaced?: boolean;
}

export function serialiseCond(c: Cond, style: SerialiseStyle = {}): string {
  const s = style.spaced ? ' ' : '';
  return `${c.field}${s}${c.op}${s}${quote(c.value)}`;
}

export function serialise(expr: Expr, style: SerialiseStyle = {}): string {
  return expr.map((group) => group.map((c) => serialiseCond(c, style)).join(' AND ')).join(' OR ');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function asBoolean(v: string): boolean {
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new Error(`model: '${v}' is not a boolean literal (the generators should not produce it)`);
}

/** Whether one row satisfies one condition. A NULL column satisfies nothing (SQL three-valued logic). */
export function holds(row: Row, c: Cond): boolean {
  const actual = row[c.field];
  if (actual === undefined) throw new Error(`model: unknown field ${c.field}`);
  if (actual === null) return false;
  if (typeof actual === 'boolean') {
    switch (c.op) {
      case '=':
        return actual === asBoolean(c.value);
      case '!=':
        return actual !== asBoolean(c.value);
      case '@':
        return c.value.split(',').some((item) => actual === asBoolean(item.trim()));
      default:
        throw new Error(`model: ${c.op} is not modelled for booleans`);
    }
  }
  switch (c.op) {
    case '=':
      return actual === c.value;
    case '!=':
      return actual !== c.value;
    case '>':
      return compare(actual, c.value) > 0;
    case '>=':
      return compare(actual, c.value) >= 0;
    case '<':
      return compare(actual, c.value) < 0;
    case '<=':
      return compare(actual, c.value) <= 0;
    case '~':
      return actual.toLowerCase().includes(c.value.toLowerCase());
    case '@':
      return c.value.split(',').some((item) => actual === item.trim());
  }
}

export function matches(row: Row, expr: Expr): boolean {
  return expr.some((group) => group.every((c) => holds(row, c)));
}
