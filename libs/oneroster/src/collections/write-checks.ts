import type { EntityClass } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, ErrorCode } from '@external-tests/common';
import { OneRosterJson, refId } from '../mappers/common';
import { CollectionDef, Needed, ReferencedRows } from './collection-def';

interface Problem {
  field: string;
  message: string;
}

/** Every object has a status: a body without one keeps the stored status (PUT never revives or deletes by omission). */
const STATUS: Needed = {
  prop: 'status',
  field: 'status',
  why: 'every object has a status',
  derive: () => Promise.resolve({ value: 'active' }),
};

const unprocessable = (problems: Problem[]) =>
  new AppError(ErrorCode.InvalidData, problems.map((p) => p.message).join('; '), {
    details: problems.map((p) => ({ ...p })),
  });

/** Each `{sourcedId}` at `path` (`roles[].org` walks arrays), with the field as the client would name it. */
function referencesAt(value: unknown, steps: string[], field: string): { field: string; sourcedId: string }[] {
  if (steps.length === 0) {
    const sourcedId = refId(value);
    return sourcedId ? [{ field, sourcedId }] : [];
  }
  const [step, ...rest] = steps;
  const key = step.replace(/\[\]$/, '');
  const child = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  if (key === step) return referencesAt(child, rest, `${field}.${key}`);
  return Array.isArray(child) ? child.flatMap((item, i) => referencesAt(item, rest, `${field}.${key}[${i}]`)) : [];
}

/**
 * Every reference the body carries names an existing object (one statement for all the referenced collections);
 * a reference to the object being written is fine. The referenced rows come back too (column names as stored),
 * so the collection's own rules read them without another round trip.
 */
async function checkReferences(
  em: EntityManager,
  def: CollectionDef,
  json: OneRosterJson,
): Promise<{ problems: Problem[]; referenced: ReferencedRows }> {
  const wanted = new Map<
    EntityClass<object>,
    { table: string; column: string; refs: { field: string; sourcedId: string }[] }
  >();
  for (const [path, entity] of Object.entries(def.references ?? {})) {
    const refs = referencesAt(json, path.split('.'), def.singular).filter(
      (r) => !(entity === def.entity && r.sourcedId === json.sourcedId),
    );
    if (refs.length === 0) continue;
    const group = wanted.get(entity);
    if (group) group.refs.push(...refs);
    else {
      const meta = em.getMetadata().get<{ sourcedId: string }>(entity.name);
      wanted.set(entity, { table: meta.tableName, column: meta.properties.sourcedId.fieldNames[0], refs });
    }
  }
  const referenced: ReferencedRows = new Map();
  if (wanted.size === 0) return { problems: [], referenced };
  const groups = [...wanted.entries()];
  const found = await em.execute<{ g: number; id: string; row: Record<string, unknown> }[]>(
    groups
      .map(
        ([, g], i) =>
          `select ${i} g, "${g.column}" id, to_jsonb(t) "row" from "${g.table}" t where "${g.column}" in (select jsonb_array_elements_text(?::jsonb))`,
      )
      .join(' union all '),
    groups.map(([, g]) => JSON.stringify([...new Set(g.refs.map((r) => r.sourcedId))])),
  );
  for (const { g, id, row } of found) {
    const entity = groups[g][0];
    referenced.set(entity, (referenced.get(entity) ?? new Map<string, Record<string, unknown>>()).set(id, row));
  }
  const problems = groups.flatMap(([entity, g]) =>
    g.refs
      .filter((r) => !referenced.get(entity)?.has(r.sourcedId))
      .map((r) => ({ field: r.field, message: `${r.field} '${r.sourcedId}' does not exist` })),
  );
  return { problems, referenced };
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

/** Numbers the spec allows but a 32-bit integer column cannot hold (refused, rather than rounded or a database error). */
function nonIntegers(def: CollectionDef, json: OneRosterJson): Problem[] {
  return (def.integers ?? [])
    .filter(
      (f) =>
        json[f] !== undefined &&
        json[f] !== null &&
        !(Number.isInteger(json[f]) && json[f] >= INT32.min && json[f] <= INT32.max),
    )
    .map((f) => {
      const field = `${def.singular}.${f}`;
      return {
        field,
        message: `${field} must be a whole number from ${INT32.min} to ${INT32.max}: it is stored as an integer`,
      };
    });
}

/** Fills what a stored object needs but the body left out: the stored value, else a derived one; else a problem. */
async function fillNeeds(
  em: EntityManager,
  def: CollectionDef,
  data: Record<string, unknown>,
  existing: object | null,
): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const need of [STATUS, ...(def.needs ?? [])]) {
    if (data[need.prop] !== undefined && data[need.prop] !== null) continue;
    const stored = (existing as Record<string, unknown> | null)?.[need.prop];
    if (stored !== undefined && stored !== null) {
      data[need.prop] = stored;
      continue;
    }
    const derived = need.derive ? await need.derive(em, data) : undefined;
    if (derived && 'value' in derived) {
      data[need.prop] = derived.value;
      continue;
    }
    const field = `${def.singular}.${need.field}`;
    problems.push({ field, message: `${field} is required: ${need.why}${derived ? `; ${derived.because}` : ''}` });
  }
  return problems;
}

/**
 * A body the upstream schema accepted, as data to store: what the schema cannot say is checked here (numbers we
 * store as integers, references to missing objects, then what the object needs but the body left out). Every
 * problem of a step is named in one 422.
 */
export async function storableData(
  em: EntityManager,
  def: CollectionDef,
  json: OneRosterJson,
  existing: object | null,
): Promise<{ data: Record<string, unknown>; referenced: ReferencedRows }> {
  const { problems: missing, referenced } = await checkReferences(em, def, json);
  const problems = [...nonIntegers(def, json), ...missing];
  if (problems.length > 0) throw unprocessable(problems);
  const data = def.from(json);
  problems.push(...(await fillNeeds(em, def, data, existing)));
  if (problems.length > 0) throw unprocessable(problems);
  return { data, referenced };
}
