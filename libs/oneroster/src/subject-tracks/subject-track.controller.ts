import { Body, Controller, Get, HttpCode, Put, Query, Res, UseGuards } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '@external-tests/auth';
import { ApiImsxErrors, AppError, canonicalGrade, decimalInteger, ErrorCode, textOnce } from '@external-tests/common';
import { AREA_SCOPES } from '../controllers/area-scopes';
import { WholeTenantGuard } from '../controllers/whole-tenant.guard';
import { PutSubjectTrackDto, SubjectTrackDto } from './subject-track.dto';
import { SubjectTrackService } from './subject-track.service';

/** Express's Response and Fastify's reply both set a header this way. */
type HeaderSink = { header(name: string, value: string): unknown };

@ApiTags('EduBridge - Subject tracks')
@ApiExtraModels(SubjectTrackDto)
@UseGuards(WholeTenantGuard)
@Controller('edubridge/subject-track')
export class SubjectTrackController {
  constructor(private readonly tracks: SubjectTrackService) {}

  @Put()
  @HttpCode(200)
  @RequireScopes(...AREA_SCOPES.roster.write)
  @ApiOperation({
    operationId: 'putSubjectTrack',
    summary: 'Create or update the subject track of (org, subject, grade)',
    description:
      'Used to enrol a student after a finalized placement or test-out. Omit orgSourcedId for the global track.',
  })
  @ApiOkResponse({
    schema: { type: 'object', properties: { subjectTrack: { $ref: '#/components/schemas/SubjectTrackDto' } } },
  })
  @ApiImsxErrors([400, 401, 403, 422, 429, 500])
  async put(@Body() dto: PutSubjectTrackDto): Promise<{ subjectTrack: SubjectTrackDto }> {
    return { subjectTrack: await this.tracks.upsert(dto) };
  }

  @Get()
  @RequireScopes(...AREA_SCOPES.roster.read)
  @ApiOperation({ operationId: 'listSubjectTracks', summary: 'Get all subject tracks' })
  @ApiQuery({ name: 'subject', required: false, type: String, example: 'Math' })
  @ApiQuery({ name: 'grade', required: false, type: String, example: '4' })
  @ApiQuery({ name: 'orgSourcedId', required: false, type: String, description: 'Only tracks of this org' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 3000, default: 100 } })
  @ApiQuery({ name: 'offset', required: false, schema: { type: 'integer', minimum: 0, default: 0 } })
  @ApiOkResponse({
    headers: {
      'X-Total-Count': { description: 'How many tracks match, on every page', schema: { type: 'integer', minimum: 0 } },
    },
    schema: {
      type: 'object',
      properties: {
        subjectTracks: { type: 'array', items: { $ref: '#/components/schemas/SubjectTrackDto' } },
        totalCount: { type: 'integer' },
      },
    },
  })
  @ApiImsxErrors([400, 401, 403, 429, 500])
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res?: HeaderSink) {
    // Not a OneRoster list: a `filter` or `sort` meant for one would be ignored, and every track answered as if it
    // had matched.
    const unknown = Object.keys(query).filter((k) => !LIST_PARAMS.includes(k));
    if (unknown.length > 0) {
      const allowed = `allowed: ${LIST_PARAMS.join(', ')}`;
      throw AppError.problems(
        ErrorCode.InvalidRequest,
        unknown.map((k) => ({ field: k, message: `Unknown query parameter '${k}'; ${allowed}` })),
      );
    }
    const { subject, grade, orgSourcedId, limit, offset } = query;
    const l = decimalInteger('limit', limit, 100, 1, 3000);
    // Past PostgreSQL's bigint an offset is an error there; no list is that long anyway.
    const o = decimalInteger('offset', offset, 0, 0, Number.MAX_SAFE_INTEGER);
    // Spelled as tracks are stored (PutSubjectTrackDto).
    const [s, g] = [once('subject', subject), once('grade', grade)];
    const filter = {
      subject: s?.trim(),
      grade: g === undefined ? undefined : canonicalGrade(g),
      orgSourcedId: once('orgSourcedId', orgSourcedId),
    };
    const { items, total } = await this.tracks.list(filter, l, o);
    res?.header('X-Total-Count', String(total));
    return { subjectTracks: items, totalCount: total };
  }
}

const LIST_PARAMS = ['subject', 'grade', 'orgSourcedId', 'limit', 'offset'];

/**
 * A filter given once (a repeated query parameter arrives as an array: a 400); absent when empty, and a 400 when
 * blank (dropped, every track would be answered).
 */
function once(name: string, value: unknown): string | undefined {
  const text = textOnce(name, value);
  if (text && !text.trim()) throw AppError.invalid(`${name} must not be blank`, name);
  return text || undefined;
}
