import {
  applyDecorators,
  Body,
  Controller,
  UseGuards,
  Delete,
  Get,
  HttpCode,
  Inject,
  Optional,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
  Type,
} from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiQuery, ApiQueryOptions, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, RequireScopes } from '@external-tests/auth';
import { ApiImsxErrors } from '@external-tests/common';
import { CollectionDef } from '../collections/collection-def';
import { EXAMPLES, NEW_EXAMPLES } from '../collections/examples';
import { OneRosterService } from '../oneroster.service';
import { ListQueryParams, parseFieldsQuery, parseListQuery } from '../query/list-query';
import { requestSchema, responseObjectFields, specOperation, successResponse } from '../spec/oneroster-spec';
import { AREA_SCOPES } from './area-scopes';
import { hrefContext, HrefRequest } from './href-context';
import { ONEROSTER_OPTIONS, OneRosterOptions } from '../oneroster-options';
import { WholeTenantGuard } from './whole-tenant.guard';

/** Express's Response and Fastify's reply both set a header this way. */
type HeaderSink = { header(name: string, value: string): unknown };

const FIELDS_DESCRIPTION =
  'Comma-separated top-level fields to return. The objects then hold only those fields: the required list of the ' +
  "object's schema below does not apply to them (a client that checks it must read such answers loosely).";

/** A field's value in an example object: `user.sourcedId` reads the reference's id. */
function exampleValue(example: Record<string, unknown> | undefined, field: string): unknown {
  return field.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], example);
}

/**
 * The list parameters, typed, with examples that work on the collection's demo data (Swagger UI pre-fills them):
 * active objects sorted by their name field, a few fields. `search` is not pre-filled (a first Execute would list
 * only the objects that match it, and read as if there were no others); its description names a word that works.
 */
function listParams(def: CollectionDef, selectable: string[]): ApiQueryOptions[] {
  const searched = def.search ?? [];
  const name = searched[0] !== undefined && !searched[0].includes('.') ? searched[0] : undefined;
  const value = searched.length > 0 ? exampleValue(EXAMPLES[def.singular], searched[0]) : undefined;
  const word = typeof value === 'string' ? value.split(' ')[0] : undefined;
  const fields = ['sourcedId', 'status', ...(def.search ?? [])].filter((f) => selectable.includes(f));
  return [
    {
      name: 'limit',
      description: 'Page size (default 100, max 3000)',
      schema: { type: 'integer', minimum: 1, maximum: 3000, default: 100, example: 10 },
    },
    { name: 'offset', description: 'Items to skip', schema: { type: 'integer', minimum: 0, default: 0, example: 0 } },
    { name: 'sort', description: 'Field to sort by (default sourcedId)', type: String, example: name ?? 'sourcedId' },
    {
      name: 'orderBy',
      description: 'Sort direction',
      schema: { type: 'string', enum: ['asc', 'desc'], example: 'asc' },
    },
    {
      name: 'filter',
      description:
        "1EdTech filter: `field op 'value'` joined by AND / OR, operators = != > >= < <= ~ (contains) @ (in a list)",
      type: String,
      example: "status='active'",
    },
    { name: 'fields', description: FIELDS_DESCRIPTION, type: String, example: fields.join(',') },
    ...(searched.length > 0
      ? [
          {
            name: 'search',
            description: `Free text: a part of ${searched.join(', ')}, any case${word ? ` (e.g. \`${word}\`)` : ''}`,
            type: String,
          },
        ]
      : []),
  ];
}

/** Upstream summaries mix Title Case and sentence case: sentence case throughout, names (OneRoster, ID) kept. */
function sentenceCase(summary: string): string {
  return summary.replace(/ ([A-Z][a-z]+)\b/g, (_, word: string) => ` ${word.toLowerCase()}`);
}

/**
 * Builds the controller of one OneRoster collection from its definition: GET list, GET one, PUT, POST and
 * DELETE with the upstream spec's paths, status codes, wrappers and schemas (also used for Swagger).
 */
export function collectionController(def: CollectionDef): Type<unknown> {
  // `search` looks in fields by name (parseListQuery): a name with no field would fail every search; fail at boot.
  const unknownSearch = (def.search ?? []).filter((f) => !Object.hasOwn(def.fields, f));
  if (unknownSearch.length > 0) throw new Error(`${def.plural}: search names no field ${unknownSearch.join(', ')}`);
  const scopes = AREA_SCOPES[def.area];
  const op = (path: string, method: string) => {
    const o = specOperation(path, method);
    return { operationId: o.operationId, summary: o.summary && sentenceCase(o.summary) };
  };
  const put = successResponse(def.specOnePath, 'put');
  // Where the spec answers a PUT with the bare object (classes), so do we; elsewhere it is wrapped.
  const bareOnPut = typeof put.schema?.$ref === 'string';
  const selectable = responseObjectFields(def.specOnePath, def.singular);

  @ApiTags(def.tag)
  @UseGuards(WholeTenantGuard)
  @Controller(def.path)
  class CollectionController {
    constructor(
      readonly oneRoster: OneRosterService,
      @Optional() @Inject(ONEROSTER_OPTIONS) readonly options: OneRosterOptions = {},
    ) {}

    @Get()
    @RequireScopes(...scopes.read)
    @ApiOperation(op(def.specListPath, 'get'))
    @applyDecorators(...listParams(def, selectable).map((p) => ApiQuery({ ...p, required: false })))
    @ApiResponse({
      status: 200,
      description: `{ ${def.plural}, totalCount, pageCount, pageNumber, offset, limit }; total also in X-Total-Count`,
      headers: {
        'X-Total-Count': {
          description: 'How many objects match, on every page',
          schema: { type: 'integer', minimum: 0 },
        },
      },
      schema: successResponse(def.specListPath, 'get').schema,
    })
    @ApiImsxErrors([400, 401, 403, 429, 500])
    async list(@Query() params: ListQueryParams, @Req() req: HrefRequest, @Res({ passthrough: true }) res: HeaderSink) {
      const q = parseListQuery(params, def.fields, selectable, def.search);
      const { items, total } = await this.oneRoster.list(def, q, hrefContext(req, this.options));
      res.header('X-Total-Count', String(total));
      return {
        [def.plural]: items,
        totalCount: total,
        pageCount: Math.ceil(total / q.limit),
        pageNumber: Math.floor(q.offset / q.limit) + 1,
        offset: q.offset,
        limit: q.limit,
      };
    }

    @Get(':sourcedId')
    @RequireScopes(...scopes.read)
    @ApiOperation(op(def.specOnePath, 'get'))
    @ApiParam({ name: 'sourcedId', type: String, example: EXAMPLES[def.singular].sourcedId })
    @ApiQuery({ name: 'fields', required: false, description: FIELDS_DESCRIPTION, type: String })
    @ApiResponse({ status: 200, schema: successResponse(def.specOnePath, 'get').schema })
    @ApiImsxErrors([400, 401, 403, 404, 429, 500])
    async get(@Param('sourcedId') sourcedId: string, @Query() params: { fields?: string }, @Req() req: HrefRequest) {
      const fields = parseFieldsQuery(params, selectable);
      return { [def.singular]: await this.oneRoster.get(def, sourcedId, hrefContext(req, this.options), fields) };
    }

    @Put(':sourcedId')
    @HttpCode(put.status)
    @RequireScopes(...scopes.write)
    @ApiOperation(op(def.specOnePath, 'put'))
    @ApiParam({ name: 'sourcedId', type: String, example: EXAMPLES[def.singular].sourcedId })
    @ApiBody({
      schema: requestSchema(def.specOnePath, 'put'),
      examples: { example: { value: { [def.singular]: EXAMPLES[def.singular] } } },
    })
    @ApiResponse({ status: put.status, description: 'Created or replaced (idempotent)', schema: put.schema })
    @ApiImsxErrors([400, 401, 403, 422, 429, 500])
    async put(
      @Param('sourcedId') sourcedId: string,
      @Body() body: unknown,
      @Req() req: HrefRequest,
      @CurrentPrincipal() principal?: Principal,
    ) {
      const { object } = await this.oneRoster.put(
        def,
        sourcedId,
        body,
        hrefContext(req, this.options),
        principal?.clientId,
      );
      return bareOnPut ? object : { [def.singular]: object };
    }

    @Post()
    @HttpCode(201)
    @RequireScopes(...scopes.write)
    @ApiOperation(op(def.specListPath, 'post'))
    @ApiBody({
      schema: requestSchema(def.specListPath, 'post'),
      examples: { example: { value: { [def.singular]: NEW_EXAMPLES[def.singular] } } },
    })
    @ApiResponse({ status: 201, schema: successResponse(def.specListPath, 'post').schema })
    @ApiImsxErrors([400, 401, 403, 422, 429, 500])
    async create(@Body() body: unknown) {
      return { sourcedIdPairs: await this.oneRoster.create(def, body) };
    }

    @Delete(':sourcedId')
    @HttpCode(204)
    @RequireScopes(...scopes.delete)
    @ApiOperation(op(def.specOnePath, 'delete'))
    // No example: Swagger UI would pre-fill it, and one click would delete demo data.
    @ApiParam({ name: 'sourcedId', type: String })
    @ApiResponse({ status: 204, description: 'Marked tobedeleted' })
    @ApiImsxErrors([400, 401, 403, 404, 429, 500])
    async remove(@Param('sourcedId') sourcedId: string): Promise<void> {
      await this.oneRoster.remove(def, sourcedId);
    }
  }

  Object.defineProperty(CollectionController, 'name', {
    value: `${def.singular[0].toUpperCase()}${def.singular.slice(1)}Controller`,
  });
  return CollectionController;
}
