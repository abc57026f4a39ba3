import type { EntityClass, EntityFactory, EntityMetadata, EntityProperty } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, ErrorCode, LockedRead } from '@external-tests/common';
import { runPrepared } from '@external-tests/persistence';
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

const unprocessable = (problems: Problem[]) => AppError.problems(ErrorCode.InvalidData, problems);

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

interface ReferenceGroup {
  entity: EntityClass<object>;
  table: string;
  column: string;
  refs: { field: string; sourcedId: string }[];
}

/** The references the body carries, grouped by the collection they name; a reference to the object itself is fine. */
function referenceGroups(em: EntityManager, def: CollectionDef, json: OneRosterJson): ReferenceGroup[] {
  const wanted = new Map<EntityClass<object>, ReferenceGroup>();
  for (const [path, entity] of Object.entries(def.references ?? {})) {
    const refs = referencesAt(json, path.split('.'), def.singular).filter(
      (r) => !(entity === def.entity && r.sourcedId === json.sourcedId),
    );
    if (refs.length === 0) continue;
    const group = wanted.get(entity);
    if (group) group.refs.push(...refs);
    else {
      const meta = em.getMetadata().get<{ sourcedId: string }>(entity.name);
      wanted.set(entity, { entity, table: meta.tableName, column: meta.properties.sourcedId.fieldNames[0], refs });
    }
  }
  return [...wanted.values()];
}

/** One select for every referenced collection: rows `(g, id, row)`, `row` the referenced row as jsonb. */
function referenceSql(groups: ReferenceGroup[]): { sql: string; params: string[] } {
  return {
    sql: groups
      .map(
        (g, i) =>
          `select ${i} g, "${g.column}" id, to_jsonb(t) "row" from "${g.table}" t where "${g.column}" in (select jsonb_array_elements_text(?::jsonb))`,
      )
      .join(' union all '),
    params: groups.map((g) => JSON.stringify([...new Set(g.refs.map((r) => r.sourcedId))])),
  };
}

export interface CheckedReferences {
  problems: { field: string; message: string }[];
  referenced: ReferencedRows;
}

function checked(groups: ReferenceGroup[], found: { g: number; id: string; row: Record<string, unknown> }[]) {
  const referenced: ReferencedRows = new Map();
  for (const { g, id, row } of found) {
    const entity = groups[g].entity;
    referenced.set(entity, (referenced.get(entity) ?? new Map<string, Record<string, unknown>>()).set(id, row));
  }
  const problems = groups.flatMap((g) =>
    g.refs
      .filter((r) => !referenced.get(g.entity)?.has(r.sourcedId))
      .map((r) => ({ field: r.field, message: `${r.field} '${r.sourcedId}' does not exist` })),
  );
  return { problems, referenced };
}

/**
 * Every reference the body carries names an existing object (one statement for all the referenced collections).
 * The referenced rows come back too (column names as stored), so the collection's own rules read them without
 * another round trip.
 */
async function checkReferences(em: EntityManager, def: CollectionDef, json: OneRosterJson): Promise<CheckedReferences> {
  const groups = referenceGroups(em, def, json);
  if (groups.length === 0) return { problems: [], referenced: new Map() };
  const { sql, params } = referenceSql(groups);
  return checked(groups, await runPrepared(em, sql, params));
}

/** Per ORM, the entity factory of a fork whose identity map stays empty (nothing is ever merged into it). */
const detachedFactories = new WeakMap<object, EntityFactory>();

/**
 * Entities built here are never managed: `em`'s own factory hands back (and refreshes) the managed instance when
 * its identity map holds the row already (a seed document that writes an object twice in one context).
 */
function detachedFactory(em: EntityManager): EntityFactory {
  let factory = detachedFactories.get(em.config);
  if (!factory) {
    factory = em.fork({ clear: true, useContext: false }).getEntityFactory();
    detachedFactories.set(em.config, factory);
  }
  return factory;
}

/**
 * A PUT's first statement: the stored object, row-locked (concurrent writes of one object apply one after the
 * other), the reference check and what listeners of the write asked to read (`reads`), in one round trip. The locked row comes back as an entity (not managed
 * by `em`: updateLocked writes it); the references come back as one jsonb column beside it.
 */
export async function lockWithReferences<T extends object>(
  em: EntityManager,
  def: CollectionDef,
  json: OneRosterJson & { sourcedId: string },
  reads: readonly LockedRead[] = [],
): Promise<{ existing: T | null; references: CheckedReferences; read: Record<string, unknown> }> {
  const meta = em.getMetadata().get<{ sourcedId: string }>(def.entity.name);
  const column = meta.properties.sourcedId.fieldNames[0];
  const groups = referenceGroups(em, def, json);
  const refs = groups.length > 0 ? referenceSql(groups) : undefined;
  // The entity's columns by name, not `*`: a prepared statement's result must keep its shape when a migration adds
  // a column while connections hold it prepared ("cached plan must not change result type").
  const columns = storedColumns(meta);
  const rows = await runPrepared<Record<string, unknown>>(
    em,
    `with locked as (select ${columns} from "${meta.tableName}" where "${column}" = ? for update) ` +
      `select l.*, ${refs ? `coalesce((select jsonb_agg(r) from (${refs.sql}) r), '[]'::jsonb)` : `'[]'::jsonb`} "__refs"` +
      reads.map((r, i) => `, (${r.sql}) "__read${i}"`).join('') +
      ` from (select 1) one left join locked l on true`,
    [
      json.sourcedId,
      ...(refs?.params ?? []),
      ...reads.flatMap((r) => Array<string>(r.sql.split('?').length - 1).fill(json.sourcedId)),
    ],
  );
  const { __refs: found, ...row } = rows[0];
  const read: Record<string, unknown> = {};
  reads.forEach((r, i) => {
    read[r.key] = row[`__read${i}`];
    delete row[`__read${i}`];
  });
  // Detached (not in the unit of work): the PUT writes it with one update of its own (updateLocked); nothing flushes.
  const existing = row[column] == null ? null : detachedEntity<T>(em, def, row);
  return {
    existing,
    references: checked(groups, found as { g: number; id: string; row: Record<string, unknown> }[]),
    read,
  };
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
  checkedAlready?: CheckedReferences,
): Promise<{ data: Record<string, unknown>; referenced: ReferencedRows }> {
  const { problems: missing, referenced } = checkedAlready ?? (await checkReferences(em, def, json));
  const problems = [...nonIntegers(def, json), ...missing];
  if (problems.length > 0) throw unprocessable(problems);
  const data = def.from(json);
  problems.push(...(await fillNeeds(em, def, data, existing)));
  if (problems.length > 0) throw unprocessable(problems);
  return { data, referenced };
}

/** A property's value as the ORM stores it (custom types converted), null for none. */
function columnValue(em: EntityManager, prop: EntityProperty, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  return prop.customType
    ? prop.customType.convertToDatabaseValue(value, em.getPlatform(), { key: prop.name, mode: 'query-data' })
    : value;
}

/** The entity's stored columns, in the order lockWithReferences and insertNew read them back. */
function storedColumns(meta: EntityMetadata): string {
  return meta.props
    .filter((p) => p.persist !== false && p.fieldNames?.length)
    .map((p) => `"${p.fieldNames[0]}"`)
    .join(', ');
}

/** A row as selected by storedColumns, as an entity no EntityManager manages. */
function detachedEntity<T extends object>(em: EntityManager, def: CollectionDef, row: Record<string, unknown>): T {
  const meta = em.getMetadata().get(def.entity.name);
  return detachedFactory(em).create<T>(
    def.entity as EntityClass<T>,
    em.getDriver().mapResult(row, meta as never) as never,
    {
      merge: false,
      convertCustomTypes: true,
    },
  );
}

/**
 * Creates the object in one insert, as em.create and flush would (the entity's initial values where `data` has
 * none, the database's defaults where neither has, custom types converted), through runPrepared so it runs in a
 * preparedTransaction. A column that cannot be empty and is left empty is the caller's missing field (400), as the
 * ORM words it. Returns the object as stored.
 */
export async function insertNew<T extends object>(
  em: EntityManager,
  def: CollectionDef,
  data: Record<string, unknown>,
): Promise<T> {
  const meta = em.getMetadata().get(def.entity.name);
  const entity = Object.assign(new (def.entity as new () => Record<string, unknown>)(), data);
  const columns: string[] = [];
  const params: unknown[] = [];
  for (const prop of meta.props) {
    if (prop.persist === false || !prop.fieldNames?.length) continue;
    const value = entity[prop.name];
    const defaulted = prop.default !== undefined || prop.defaultRaw !== undefined;
    if (value === undefined && (prop.nullable || defaulted)) continue;
    if ((value === undefined || value === null) && !prop.nullable)
      throw AppError.invalid(`${def.singular}.${prop.name} is required`, `${def.singular}.${prop.name}`);
    columns.push(`"${prop.fieldNames[0]}"`);
    params.push(columnValue(em, prop, value));
  }
  const [row] = await runPrepared<Record<string, unknown>>(
    em,
    `insert into "${meta.tableName}" (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')}) ` +
      `returning ${storedColumns(meta)}`,
    params,
  );
  return detachedEntity<T>(em, def, row);
}

/**
 * Replaces the stored object locked by lockWithReferences with `data` in one update: every column `data` names
 * (values as the ORM stores them) and the columns the entity refreshes on update (dateLastModified). No unit of
 * work: its change set would cost more than the statement. A column that cannot be empty and is left empty is the
 * caller's missing field (400). Returns the object as stored.
 */
export async function updateLocked<T extends object>(
  em: EntityManager,
  def: CollectionDef,
  existing: T,
  data: Record<string, unknown>,
): Promise<T> {
  const meta = em.getMetadata().get(def.entity.name);
  const values: Record<string, unknown> = { ...data };
  for (const prop of meta.props) if (prop.onUpdate) values[prop.name] = prop.onUpdate(existing, em);
  const sets: string[] = [];
  const params: unknown[] = [];
  for (const [name, value] of Object.entries(values)) {
    const prop = meta.properties[name];
    if (!prop || prop.primary || prop.persist === false) continue;
    if (value === undefined || value === null) {
      if (!prop.nullable) throw AppError.invalid(`${def.singular}.${name} is required`, `${def.singular}.${name}`);
    }
    sets.push(`"${prop.fieldNames[0]}" = ?`);
    params.push(columnValue(em, prop, value));
  }
  const key = meta.properties.sourcedId.fieldNames[0];
  await runPrepared(em, `update "${meta.tableName}" set ${sets.join(', ')} where "${key}" = ?`, [
    ...params,
    (existing as { sourcedId: string }).sourcedId,
  ]);
  return Object.assign(existing, values);
}
