import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '@external-tests/common';
import { Course, Org, runPrepared, SchoolClass } from '@external-tests/persistence';
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

/** Ancestors looked through for a cycle: deeper chains than this are not an org tree a school system has. */
const MAX_ORG_DEPTH = 64;

/** The transaction lock that orders the writes giving an org a parent (pg_advisory_xact_lock's key). */
const ORG_PARENT_LOCK = 0x6f7267; // 'org'

/**
 * An org's parent chain does not come back to the org itself (the org as its own parent, or as an ancestor of its
 * new parent): such a tree has no root, so it is a 422 naming the parent. Runs inside the write's transaction. Two
 * writes could each close half of a cycle (A under B, B under A) while each reads the other's old parent, so the
 * writes that set a parent take one transaction lock first and read the chain after it (a statement of its own: a
 * statement reads what was committed when it began).
 */
export async function prepareOrg(em: EntityManager, data: Record<string, unknown>) {
  const parent = data.parentSourcedId as string | null | undefined;
  if (!parent) return data;
  const refuse = () =>
    AppError.invalidData(
      `org '${String(data.sourcedId)}' cannot have '${parent}' as its parent: the parent chain would come back to it`,
      'org.parent',
    );
  if (parent === data.sourcedId) throw refuse();
  await runPrepared(em, 'select pg_advisory_xact_lock(?::bigint)', [ORG_PARENT_LOCK]);
  const meta = em.getMetadata().get<Org>(Org.name);
  const [id, parentColumn] = [meta.properties.sourcedId, meta.properties.parentSourcedId].map((p) => p.fieldNames[0]);
  const [cycle] = await runPrepared<{ hit: number }>(
    em,
    `with recursive up (id, parent, depth) as (
       select "${id}", "${parentColumn}", 1 from "${meta.tableName}" where "${id}" = ?
       union all
       select o."${id}", o."${parentColumn}", up.depth + 1 from "${meta.tableName}" o join up on o."${id}" = up.parent
       where up.depth < ${MAX_ORG_DEPTH}
     ) select 1 as hit from up where id = ? limit 1`,
    [parent, data.sourcedId],
  );
  if (cycle) throw refuse();
  return data;
}
