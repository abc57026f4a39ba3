import { Injectable } from '@nestjs/common';
import { CollectionDef } from '../collections/collection-def';
import {
  CLASSES,
  COMPONENT_RESOURCES,
  COURSE_COMPONENTS,
  COURSES,
  ENROLLMENTS,
  LINE_ITEMS,
  ORGS,
  RESOURCES,
  RESULTS,
  USERS,
} from '../collections/definitions';
import { OneRosterJson } from '../mappers/common';
import { OneRosterService } from '../oneroster.service';
import { PutSubjectTrackDto } from '../subject-tracks/subject-track.dto';
import { SubjectTrackService } from '../subject-tracks/subject-track.service';

/** A OneRoster-shaped document: one array per collection, each object as its PUT endpoint takes it. */
export type SeedDocument = Partial<Record<string, OneRosterJson[]>> & { subjectTracks?: PutSubjectTrackDto[] };

/** Referenced collections first, so references resolve. */
const ORDER: [string, CollectionDef][] = [
  ['orgs', ORGS],
  ['users', USERS],
  ['courses', COURSES],
  ['classes', CLASSES],
  ['enrollments', ENROLLMENTS],
  ['courseComponents', COURSE_COMPONENTS],
  ['resources', RESOURCES],
  ['componentResources', COMPONENT_RESOURCES],
  ['assessmentLineItems', LINE_ITEMS],
  ['assessmentResults', RESULTS],
];

/**
 * Loads a seed document through the same service the PUT endpoints use (schema validation, reference
 * checks, idempotent upserts), so a seed file is exactly what a OneRoster client could send.
 */
@Injectable()
export class SeedLoader {
  constructor(
    private readonly oneRoster: OneRosterService,
    private readonly tracks: SubjectTrackService,
  ) {}

  async load(doc: SeedDocument, baseUrl = 'http://localhost'): Promise<Record<string, number>> {
    const known = new Set([...ORDER.map(([k]) => k), 'subjectTracks', '$comment']);
    const unknown = Object.keys(doc).filter((k) => !known.has(k));
    if (unknown.length > 0) throw new Error(`Unknown collections in seed document: ${unknown.join(', ')}`);
    const counts: Record<string, number> = {};
    for (const [key, def] of ORDER) {
      for (const item of doc[key] ?? []) {
        await this.oneRoster.put(def, String(item.sourcedId), { [def.singular]: item }, { baseUrl });
      }
      if (doc[key]) counts[key] = doc[key].length;
    }
    for (const track of doc.subjectTracks ?? []) await this.tracks.upsert(track);
    if (doc.subjectTracks) counts.subjectTracks = doc.subjectTracks.length;
    return counts;
  }
}
