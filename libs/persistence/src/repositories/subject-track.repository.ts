import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { runPrepared } from '../prepared-statement';
import { SubjectTrack } from '../entities';

export interface SubjectTrackKey {
  subject: string;
  grade: string;
  /** Absent: the global track. */
  orgSourcedId?: string | null;
}

/** subject_tracks: one course per (org or global, subject case-insensitively, grade). */
@Injectable()
export class SubjectTrackRepository {
  constructor(private readonly em: EntityManager) {}

  /** Sets the track's course in one statement; dateLastModified moves only when the course changes. */
  async put(key: SubjectTrackKey, courseSourcedId: string): Promise<SubjectTrack> {
    const [row] = await runPrepared<Record<string, unknown>>(
      this.em,
      `insert into subject_tracks (subject, grade, course_sourced_id, org_sourced_id) values (?, ?, ?, ?)
       on conflict (coalesce(org_sourced_id, ''), lower(subject), grade)
       do update set course_sourced_id = excluded.course_sourced_id, subject = excluded.subject,
         -- a changed spelling of the subject is a change too (the key compares it without case)
         date_last_modified = case when subject_tracks.course_sourced_id = excluded.course_sourced_id
                                     and subject_tracks.subject = excluded.subject
                                   then subject_tracks.date_last_modified else now() end
       returning id, subject, grade, course_sourced_id, org_sourced_id, date_last_modified`,
      [key.subject, key.grade, courseSourcedId, key.orgSourcedId ?? null],
    );
    return this.em.map(SubjectTrack, row);
  }
}
