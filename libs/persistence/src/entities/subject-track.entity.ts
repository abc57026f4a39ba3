import { Entity, OptionalProps, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** EduBridge subject track: which course a student goes to for (org?, subject, grade). */
@Entity({ tableName: 'subject_tracks' })
// One track per (org or global, subject, grade); subjects compare case-insensitively.
@Index({
  name: 'subject_tracks_scope_unique',
  expression:
    'create unique index "subject_tracks_scope_unique" on "subject_tracks" (coalesce("org_sourced_id", \'\'), lower("subject"), "grade")',
})
export class SubjectTrack {
  [OptionalProps]?: 'id' | 'dateLastModified';

  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id!: string;

  @Property({ type: 'text' })
  subject!: string;

  @Property({ type: 'text' })
  grade!: string;

  @Property({ type: 'text' })
  courseSourcedId!: string;

  /** Null = the global track. */
  @Property({ type: 'text', nullable: true })
  orgSourcedId?: string | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  dateLastModified: Date = new Date();
}
