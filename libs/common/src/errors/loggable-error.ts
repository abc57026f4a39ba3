/** PostgreSQL's error fields that name things (identifiers, codes), never the values of a row. */
const IDENTIFYING_FIELDS = ['code', 'routine', 'schema', 'table', 'column', 'constraint', 'dataType'] as const;

type DatabaseError = Error &
  Partial<Record<(typeof IDENTIFYING_FIELDS)[number], unknown>> & {
    severity?: unknown;
    statement?: unknown;
    detail?: unknown;
    hint?: unknown;
  };

/** A pg DatabaseError (raw `execute`) or MikroORM's DriverException around one: both carry the SQLSTATE in `code`. */
function isDatabaseError(e: unknown): e is DatabaseError {
  return (
    e instanceof Error &&
    typeof (e as DatabaseError).code === 'string' &&
    /^[0-9A-Z]{5}$/.test((e as DatabaseError).code as string)
  );
}

/**
 * The statement of a failed query without its values. The driver reports `<SQL with the parameters inlined> -
 * <PostgreSQL's message>`; the message may quote a value too (`invalid input syntax for type integer: "…"`), so
 * only the SQL part is kept, with every string and number literal replaced by `?`.
 */
export function statementShape(message: string): string | undefined {
  const cut = message.lastIndexOf(' - ');
  if (cut < 0) return undefined;
  return message
    .slice(0, cut)
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi, '?')
    .replace(/\s+/g, ' ')
    .slice(0, 2000);
}

/**
 * The message as the driver made it: MikroORM appends PostgreSQL's detail and hint (`\n - detail: …`, `\n - hint: …`),
 * which quote values and would otherwise be taken for the end of the statement.
 */
function driverMessage(e: DatabaseError): string {
  let message = e.message;
  for (const [label, value] of [
    ['hint', e.hint],
    ['detail', e.detail],
  ] as const) {
    const appended = `\n - ${label}: ${String(value)}`;
    if (value !== undefined && message.endsWith(appended)) message = message.slice(0, -appended.length);
  }
  return message;
}

/**
 * What a log entry may say about an error. Database errors: the statement's shape, the SQLSTATE and the names
 * PostgreSQL reports — never the message or stack, which carry the statement's values (emails, names, passwords).
 * Anything else: class and the first line of the message (ORM errors append the entity, values and all, below the
 * first line). No stack frames: a log carries no stack trace (they name the deployment's files and code paths); the
 * request id, and the trace id when tracing is on, lead to the request instead.
 */
export function loggableError(e: unknown): Record<string, unknown> {
  if (isDatabaseError(e)) {
    const fields = Object.fromEntries(IDENTIFYING_FIELDS.filter((k) => typeof e[k] === 'string').map((k) => [k, e[k]]));
    // A prepared statement's error names its statement (values apart); knex's has it in the message, values inlined.
    const statement =
      typeof e.statement === 'string'
        ? e.statement.replace(/\s+/g, ' ').slice(0, 2000)
        : statementShape(driverMessage(e));
    return { type: e.name, ...fields, statement };
  }
  if (e instanceof Error) return { type: e.name, message: e.message.split('\n')[0].slice(0, 300) };
  return { type: typeof e };
}
