import { DynamicModule, Module } from '@nestjs/common';
import { COLLECTIONS } from './collections/definitions';
import { collectionController } from './controllers/collection.controller';
import { ONEROSTER_OPTIONS, OneRosterOptions } from './oneroster-options';
import { OneRosterService } from './oneroster.service';
import { SeedLoader } from './seed/seed-loader';
import { SubjectTrackController } from './subject-tracks/subject-track.controller';
import { SubjectTrackService } from './subject-tracks/subject-track.service';

/**
 * OneRoster 1.2 rostering, resources and gradebook endpoints with TimeBack's shapes, plus EduBridge subject
 * tracks. Needs MikroORM (PersistenceModule) from the importing application. Imported as is, hrefs follow the
 * request's address; `forRoot({ publicBaseUrl })` anchors them.
 */
@Module({
  controllers: [...COLLECTIONS.map(collectionController), SubjectTrackController],
  providers: [OneRosterService, SubjectTrackService, SeedLoader],
  exports: [OneRosterService, SubjectTrackService, SeedLoader],
})
export class OneRosterModule {
  static forRoot(options: OneRosterOptions): DynamicModule {
    return { module: OneRosterModule, providers: [{ provide: ONEROSTER_OPTIONS, useValue: options }] };
  }
}
