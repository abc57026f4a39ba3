import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '@external-tests/common';
import { Course, Org, runPrepared, SchoolClass } from '@external-tests/persistence';
import { guidRef, HrefContext, OneRosterJson } from '../mappers/common';
import { storedValues } from './stored-values';

/** A class's school: given as `school` or `org`, else its course's org. */
export async function schoolOfCourse(em: EntityManager, data: Record<string, unknown>) {
  const courseId = data.courseSourcedId as string | null | undefined;
  if (!courseId) return { because: 'it is taken from the course’s org, and the class has no course' };
  const course = await storedValues(em, Course, courseId, ['orgSourcedId']);
  return course?.orgSourcedId
    ? { value: course.orgSourcedId }
    : { because: `it is taken from the course’s org, and course '${courseId}' has no org` };
}

/** An enrollment's school: given, else its class's school. */
export async function schoolOfClass(em: EntityManager, data: Record<string, unknown>) {
  const cls = await storedValues(em, SchoolClass, data.classSourcedId as string, ['schoolSourcedId']);
  return cls?.schoolSourcedId
    ? { value: cls.schoolSourcedId }
    : { because: `it is taken from the class’s school, and class '${String(data.classSourcedId)}' has none` };
}

/** The orgs table and the columns the tree's statements name, as the entity maps them. */
function orgColumns(em: EntityManager) {
  const meta = em.getMetadata().get<Org>(Org.name);
  const column = (prop: 'sourcedId' | 'parentSourcedId' | 'dateLastModified') => meta.properties[prop].fieldNames[0];
  return {
    table: meta.tableName,
    id: column('sourcedId'),
    parentColumn: column('parentSourcedId'),
    modified: column('dateLastModified'),
  };
}

/** Ancestors looked through for a cycle: deeper chains than this are not an org tree a school system has. */
const MAX_ORG_DEPTH = 64;

/** The transaction lock that orders org writes (pg_advisory_xact_lock's key). */
const ORG_WRITE_LOCK = 0x6f7267; // 'org'

/**
 * Org writes one at a time, each from before it locks its own row: one that changes a parent reads the parent chain
 * after the last such write committed, and moves its old and new parent's rows, which a concurrent write of either
 * may hold (A under B against B under A waited for each other's rows: a deadlock, not the 422 one of them is).
 * Rostering writes orgs seldom, and one statement each.
 */
export async function lockOrgWrites(em: EntityManager): Promise<void> {
  await runPrepared(em, 'select pg_advisory_xact_lock(?::bigint)', [ORG_WRITE_LOCK]);
}

/**
 * An org's parent chain does not come back to the org itself (the org as its own parent, or as an ancestor of its
 * new parent): such a tree has no root, so it is a 422 naming the parent. Runs inside the write's transaction, after
 * lockOrgWrites: two writes that would each close half of a cycle (A under B, B under A) do not both read the other's
 * old parent. The old and the new parent answer other `children` from then on, so their dateLastModified moves too
 * (a delta read by dateLastModified sees them).
 */
export async function prepareOrg(em: EntityManager, data: Record<string, unknown>, existing: Org | null) {
  const parent = (data.parentSourcedId as string | null | undefined) ?? null;
  const before = existing?.parentSourcedId ?? null;
  if (parent === before) return data;
  const refuse = () =>
    AppError.invalidData(
      `org '${String(data.sourcedId)}' cannot have '${parent}' as its parent: the parent chain would come back to it`,
      'org.parent',
    );
  if (parent === data.sourcedId) throw refuse();
  const { table, id, parentColumn, modified } = orgColumns(em);
  if (parent) {
    const [cycle] = await runPrepared<{ hit: number }>(
      em,
      `with recursive up (id, parent, depth) as (
         select "${id}", "${parentColumn}", 1 from "${table}" where "${id}" = ?
         union all
         select o."${id}", o."${parentColumn}", up.depth + 1 from "${table}" o join up on o."${id}" = up.parent
         where up.depth < ${MAX_ORG_DEPTH}
       ) select 1 as hit from up where id = ? limit 1`,
      [parent, data.sourcedId],
    );
    if (cycle) throw refuse();
  }
  await runPrepared(em, `update "${table}" set "${modified}" = now() where "${id}" in (?::text, ?::text)`, [
    before,
    parent,
  ]);
  return data;
}

/**
 * An org's `children`: the orgs whose parent it is, in sourcedId order (those marked tobedeleted too: they still
 * name it as their parent). Derived, never stored: a write names only an org's parent.
 */
export async function orgChildren(em: EntityManager, orgs: OneRosterJson[], ctx: HrefContext): Promise<void> {
  if (orgs.length === 0) return;
  const { table, id, parentColumn } = orgColumns(em);
  // The ids travel as one JSON array: a parameter both runPrepared's ways (prepared or formatted) pass as it is.
  const rows = await runPrepared<{ id: string; parent: string }>(
    em,
    `select "${id}" id, "${parentColumn}" parent from "${table}"
     where "${parentColumn}" in (select jsonb_array_elements_text(?::jsonb)) order by "${id}"`,
    [JSON.stringify(orgs.map((o) => o.sourcedId as string))],
  );
  const children = new Map<string, string[]>();
  for (const r of rows) {
    const list = children.get(r.parent);
    if (list) list.push(r.id);
    else children.set(r.parent, [r.id]);
  }
  for (const org of orgs)
    org.children = (children.get(org.sourcedId as string) ?? []).map((c) => guidRef(ctx, 'org', c));
}
