import { EntityManager } from '@mikro-orm/postgresql';
import { ComponentResource, Course, CourseComponent, Enrollment, Org, Resource, SchoolClass, User } from '@app/persistence';
import {
  OneRosterJson,
  classMapper,
  componentResourceMapper,
  courseComponentMapper,
  courseMapper,
  enrollmentMapper,
  orgMapper,
  resourceMapper,
  userMapper,
} from '@app/oneroster';

/** A OneRoster-shaped document: one array per collection, objects as the PUT endpoints take them. */
export interface SeedDocument {
  orgs?: OneRosterJson[];
  users?: OneRosterJson[];
  courses?: OneRosterJson[];
  classes?: OneRosterJson[];
  enrollments?: OneRosterJson[];
  courseComponents?: OneRosterJson[];
  resources?: OneRosterJson[];
  componentResources?: OneRosterJson[];
  subjectTracks?: { subject: string; grade: string; courseId: string; orgSourcedId?: string }[];
}

const COLLECTIONS = [
  ['orgs', Org, orgMapper],
  ['users', User, userMapper],
  ['courses', Course, courseMapper],
  ['classes', SchoolClass, classMapper],
  ['enrollments', Enrollment, enrollmentMapper],
  ['courseComponents', CourseComponent, courseComponentMapper],
  ['resources', Resource, resourceMapper],
  ['componentResources', ComponentResource, componentResourceMapper],
] as const;

/** Upserts every object of the document (idempotent: loading twice changes nothing). Returns counts. */
export async function loadSeedDocument(em: EntityManager, doc: SeedDocument): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  await em.transactional(async (tx) => {
    for (const [key, entity, mapper] of COLLECTIONS) {
      const items = doc[key] ?? [];
      for (const item of items) await tx.upsert(entity as never, mapper.from(item) as never);
      counts[key] = items.length;
    }
    for (const t of doc.subjectTracks ?? []) {
      await tx.getConnection().execute(
        `insert into subject_tracks (subject, grade, course_sourced_id, org_sourced_id) values (?, ?, ?, ?)
         on conflict (coalesce(org_sourced_id, ''), lower(subject), grade)
         do update set course_sourced_id = excluded.course_sourced_id, date_last_modified = now()`,
        [t.subject, t.grade, t.courseId, t.orgSourcedId ?? null],
        'run',
        tx.getTransactionContext(),
      );
    }
    counts.subjectTracks = doc.subjectTracks?.length ?? 0;
  });
  return counts;
}
