import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '@app/common';
import { OneRosterJson, refId } from '../mappers/common';
import { CollectionDef, Needed } from './collection-def';

interface Problem {
  field: string;
  message: string;
}

/** Every object has a status: a body without one keeps the stored status (PUT never revives or deletes by omission). */
const STATUS: Needed = { prop: 'status', field: 'status', why: 'every object has a status', derive: async () => ({ value: 'active' }) };

const unprocessable = (problems: Problem[]) =>
  new AppError('unprocessable', problems.map((p) => p.message).join('; '), { details: problems.map((p) => ({ ...p })) });

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
 * Every reference the body carries names an existing object (one query per referenced collection); a reference
 * to the object being written is fine. All missing ones are named in one 422.
 */
export async function checkReferences(em: EntityManager, def: CollectionDef, json: OneRosterJson, sourcedId: string): Promise<void> {
  const problems: Problem[] = [];
  for (const [path, entity] of Object.entries(def.references ?? {})) {
    const refs = referencesAt(json, path.split('.'), def.singular).filter((r) => !(entity === def.entity && r.sourcedId === sourcedId));
    if (refs.length === 0) continue;
    const found = await em
      .createQueryBuilder(entity)
      .select('sourcedId')
      .where({ sourcedId: { $in: [...new Set(refs.map((r) => r.sourcedId))] } })
      .execute<{ sourcedId: string }[]>('all', true);
    const known = new Set(found.map((row) => row.sourcedId));
    for (const r of refs) if (!known.has(r.sourcedId)) problems.push({ field: r.field, message: `${r.field} '${r.sourcedId}' does not exist` });
  }
  if (problems.length > 0) throw unprocessable(problems);
}

/**
 * Fills what a stored object needs but the body left out: the stored value, else a derived one. What can be
 * neither is one 422 naming each field and why.
 */
export async function fillNeeds(em: EntityManager, def: CollectionDef, data: Record<string, unknown>, existing: object | null) {
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
  if (problems.length > 0) throw unprocessable(problems);
  return data;
}
