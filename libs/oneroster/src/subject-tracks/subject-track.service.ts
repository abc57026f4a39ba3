import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AppError } from '@external-tests/common';
import { Course, Org, SubjectTrack, SubjectTrackRepository } from '@external-tests/persistence';
import { escapeLike } from '../query/filter-to-where';
import { PutSubjectTrackDto, SubjectTrackDto } from './subject-track.dto';

/** Which course a student goes to for (org or global, subject, grade). */
@Injectable()
export class SubjectTrackService {
  constructor(
    private readonly em: EntityManager,
    private readonly tracks: SubjectTrackRepository,
  ) {}

  async upsert(dto: PutSubjectTrackDto): Promise<SubjectTrackDto> {
    // Active ones only: finalization enrols in an active course, so a track to a deleted one would only fail later.
    if (!(await this.em.count(Course, { sourcedId: dto.courseId, status: 'active' }))) {
      throw AppError.invalidData(`courseId '${dto.courseId}' does not exist or is deleted`, 'courseId');
    }
    // null (as a GET answers it) is the global track, as an omitted one is.
    if (dto.orgSourcedId != null && !(await this.em.count(Org, { sourcedId: dto.orgSourcedId, status: 'active' }))) {
      throw AppError.invalidData(`orgSourcedId '${dto.orgSourcedId}' does not exist or is deleted`, 'orgSourcedId');
    }
    return toDto(await this.tracks.put(dto, dto.courseId));
  }

  async list(filter: { subject?: string; grade?: string; orgSourcedId?: string }, limit: number, offset: number) {
    const where = {
      // Case-insensitive equality: `%` and `_` in the subject are literal characters, not wildcards.
      ...(filter.subject ? { subject: { $ilike: escapeLike(filter.subject) } } : {}),
      ...(filter.grade ? { grade: filter.grade } : {}),
      ...(filter.orgSourcedId ? { orgSourcedId: filter.orgSourcedId } : {}),
    };
    const [rows, total] = await this.em.findAndCount(SubjectTrack, where, {
      limit,
      offset,
      orderBy: { subject: 'asc', grade: 'asc', id: 'asc' },
    });
    return { items: rows.map(toDto), total };
  }
}

function toDto(t: SubjectTrack): SubjectTrackDto {
  return {
    id: t.id,
    subject: t.subject,
    grade: t.grade,
    courseId: t.courseSourcedId,
    orgSourcedId: t.orgSourcedId ?? null,
    dateLastModified: new Date(t.dateLastModified).toISOString(),
  };
}
