/**
 * The 1EdTech filter language: `field op 'value'` conditions joined by AND / OR (AND binds tighter, no
 * parentheses). Operators: = != > >= < <= ~ (contains, case-insensitive) @ (in a comma-separated list).
 * Values are single-quoted; a quote inside is doubled (`'O''Brien'`).
 */
export type FilterOperator = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~' | '@';

export interface FilterCondition {
  field: string;
  op: FilterOperator;
  value: string;
}

/** Disjunctive normal form: OR of AND-groups. */
export type FilterExpression = FilterCondition[][];

export class FilterSyntaxError extends Error {}

const OPERATORS: FilterOperator[] = ['>=', '<=', '!=', '=', '>', '<', '~', '@'];
const FIELD = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)?/;
const MAX_CONDITIONS = 20;

export function parseFilter(input: string): FilterExpression {
  const text = input.trim();
  if (!text) throw new FilterSyntaxError('filter is empty');
  const groups: FilterExpression = [[]];
  let i = 0;
  let count = 0;
  const skipSpaces = () => {
    while (i < text.length && text[i] === ' ') i++;
  };
  for (;;) {
    skipSpaces();
    const field = FIELD.exec(text.slice(i))?.[0];
    if (!field) throw new FilterSyntaxError(`expected a field name at position ${i + 1}`);
    i += field.length;
    skipSpaces();
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (!op) throw new FilterSyntaxError(`expected an operator after '${field}'`);
    i += op.length;
    skipSpaces();
    if (text[i] !== "'") throw new FilterSyntaxError(`expected a quoted value after '${field}${op}'`);
    let value = '';
    i++;
    for (;;) {
      if (i >= text.length) throw new FilterSyntaxError(`unterminated value for '${field}'`);
      if (text[i] === "'") {
        if (text[i + 1] === "'") {
          value += "'";
          i += 2;
          continue;
        }
        i++;
        break;
      }
      value += text[i++];
    }
    if (++count > MAX_CONDITIONS) throw new FilterSyntaxError(`at most ${MAX_CONDITIONS} conditions`);
    groups[groups.length - 1].push({ field, op, value });
    const rest = text.slice(i);
    if (/^\s*$/.test(rest)) return groups;
    const logical = /^\s+(AND|OR)\s+/i.exec(rest);
    if (!logical) throw new FilterSyntaxError(`expected AND or OR at position ${i + 1}`);
    i += logical[0].length;
    if (logical[1].toUpperCase() === 'OR') groups.push([]);
  }
}
