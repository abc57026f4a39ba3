const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why PostgreSQL cannot store a string (text or jsonb), or undefined when it can. */
function unstorable(s: string): string | undefined {
  if (s.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(s)) return 'must be well-formed Unicode (no lone surrogates)';
  return undefined;
}

/**
 * The first string (keys included) or number in a request value, at any depth, that PostgreSQL would refuse, with its
 * path (`user.metadata.note`, `answers[2]`). A number is refused when it is not finite: JSON.parse reads a literal
 * past the double range (`1e400`) as Infinity, which no column or jsonb holds. Iterative: the value may nest as deep
 * as the body parser allows. With `maxFields`, an object with more fields than that is refused too. `whole`: the
 * value's name where the path is empty.
 */
export function findUnstorableValue(
  value: unknown,
  root: string,
  { maxFields = Infinity, whole = 'body' }: { maxFields?: number; whole?: string } = {},
): { field: string; problem: string } | undefined {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      const problem = unstorable(v);
      if (problem) return { field: path || whole, problem };
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v))
        return { field: path || whole, problem: 'must be a number within the range of a double' };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      if (entries.length > maxFields) {
        return {
          field: path || whole,
          problem: `has ${entries.length} fields; a request's object has at most ${maxFields}`,
        };
      }
      for (const [k, child] of entries.reverse()) {
        const field = path ? `${path}.${k}` : k;
        const problem = unstorable(k);
        if (problem) return { field: path || whole, problem: `keys ${problem}` };
        stack.push([child, field]);
      }
    }
  }
  return undefined;
}
