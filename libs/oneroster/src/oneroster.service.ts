import { ValidationError } from '@mikro-orm/core';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Injectable, Logger, Optional } from '@nestjs/common';
import { maxLength } from 'class-validator';
import { randomUUID } from 'node:crypto';
import {
  AppError,
  canonicalJson,
  ErrorCode,
  isTransactionConflict,
  LockedRead,
  MAX_SOURCED_ID_LENGTH,
  ResultEvents,
} from '@external-tests/common';
import { preparedTransaction, RESULT_ATTEMPT_UNIQUE } from '@external-tests/persistence';
import { RESULTS } from './collections/definitions';
import { CollectionDef, StoredObject } from './collections/collection-def';
import {
  CheckedReferences,
  insertNew,
  lockWithReferences,
  storableData,
  updateLocked,
} from './collections/write-checks';
import { HrefContext, OneRosterJson } from './mappers/common';
import { ListQuery } from './query/list-query';
import { requestProblems } from './spec/oneroster-spec';

export interface PutOutcome {
  object: OneRosterJson;
  created: boolean;
}

/**
 * How many times a PUT runs again after it lost to a concurrent transaction:
 * - a deadlock or serialization failure PostgreSQL rolled it back for: that one went through, so this one usually
 *   does now (a tool's write-back then needs no retry of its own; a tool may not retry a 503). Each deadlock costs
 *   about deadlock_timeout (1 s) of waiting first;
 * - a unique violation of the collection's own table: another PUT inserted what this one read as absent, the same
 *   sourcedId (run again, this one finds that object and replaces it, as a PUT does) or the attempt number a new
 *   result chose (run again, it takes the next; so up to three new results of one student at once each get theirs).
 *   A result for an attempt the body names, which has one already, is not run again: it stays the caller's 422.
 */
const PUT_CONFLICT_RETRIES = 2;

/** Reads and writes any OneRoster collection: bodies checked against the upstream schema, references checked. */
@Injectable()
export class OneRosterService {
  private readonly logger = new Logger(OneRosterService.name);

  constructor(
    private readonly em: EntityManager,
    @Optional() private readonly events?: ResultEvents,
  ) {}

  async get(def: CollectionDef, sourcedId: string, ctx: HrefContext, fields?: string[]): Promise<OneRosterJson> {
    const entity = await this.em.findOne(def.entity, { sourcedId });
    if (!entity) throw AppError.notFound(def.singular, sourcedId);
    const object = def.to(entity, ctx);
    await withDerived(this.em, def, [object], ctx, fields);
    return fields ? pick(object, fields) : object;
  }

  async list(def: CollectionDef, q: ListQuery, ctx: HrefContext): Promise<{ items: OneRosterJson[]; total: number }> {
    const [rows, total] = await this.em.findAndCount(def.entity, q.where, {
      limit: q.limit,
      offset: q.offset,
      orderBy: q.orderBy as never,
    });
    const objects = rows.map((e) => def.to(e, ctx));
    await withDerived(this.em, def, objects, ctx, q.fields);
    return { items: q.fields ? objects.map((o) => pick(o, q.fields!)) : objects, total };
  }

  /**
   * Create or replace (PUT is idempotent: the same body twice leaves the same state). A result write is
   * published to ResultEvents inside the transaction (`writer`: the OAuth client), so what its listeners do
   * (finalization) commits with it or not at all.
   */
  async put(
    def: CollectionDef,
    sourcedId: string,
    body: unknown,
    ctx: HrefContext,
    writer?: string,
  ): Promise<PutOutcome> {
    const json = this.validated(def, def.specOnePath, 'put', body);
    checkSourcedIdLength(def, sourcedId);
    if (json.sourcedId !== undefined && json.sourcedId !== sourcedId) {
      throw AppError.invalid(
        `${def.singular}.sourcedId must match the path ('${sourcedId}')`,
        `${def.singular}.sourcedId`,
      );
    }
    // Every statement of a PUT goes through runPrepared, so it needs no knex transaction (preparedTransaction).
    return preparedTransaction(
      this.em,
      async (em) => {
        const reads = def === RESULTS ? (this.events?.reads ?? []) : [];
        const { read, changed, ...outcome } = await this.write(em, def, sourcedId, json, ctx, reads);
        // A new object has no derived fields yet (what would point at it had to exist before it).
        if (!outcome.created) await withDerived(em, def, [outcome.object], ctx);
        if (def === RESULTS) {
          const { scoreStatus, score, metadata } = outcome.object as {
            scoreStatus: string;
            score?: number | null;
            metadata?: Record<string, unknown>;
          };
          const change = await this.events?.written({
            resultSourcedId: sourcedId,
            writer,
            changed,
            stored: { scoreStatus, score: score ?? null, metadata: metadata ?? {} },
            read,
          });
          // Finalization wrote to the row after this write: answer the result as stored (the attempt number is
          // a column of its own, rendered into the metadata).
          if (change) {
            Object.assign(outcome.object, {
              metadata: { ...change.metadata, attempt: metadata?.attempt },
              dateLastModified: change.dateLastModified.toISOString(),
            });
          }
        }
        return outcome;
      },
      {
        conflictRetries: PUT_CONFLICT_RETRIES,
        isConflict: (e) => isTransactionConflict(e) || this.lostCreateRace(def, json, e),
        onConflict: (e, retry) =>
          this.logger.warn(
            { collection: def.singular, sourcedId, sqlState: (e as { code?: string }).code, retry },
            'The write lost a conflict with a concurrent transaction and runs again',
          ),
      },
    ).catch((e: unknown) => {
      // A result for an attempt that has one already (it failed every run), or a create that lost every run to a
      // concurrent one. The spec lists no 409 for any OneRoster operation: a conflict is 422 with its reason.
      if (e instanceof UniqueConstraintViolationException) {
        throw new AppError(
          ErrorCode.InvalidData,
          `${def.singular} '${sourcedId}' conflicts with an existing object; read it and retry`,
        );
      }
      throw missingRequired(def, e) ?? e;
    });
  }

  /** A unique violation that running the PUT again resolves (PUT_CONFLICT_RETRIES); any other stays as it is. */
  private lostCreateRace(def: CollectionDef, json: OneRosterJson, e: unknown): boolean {
    if (!(e instanceof UniqueConstraintViolationException)) return false;
    const { table, constraint } = e as { table?: string; constraint?: string };
    // A listener's insert (another table) is not this PUT's race.
    if (table !== this.em.getMetadata().get(def.entity.name).tableName) return false;
    const named = (json.metadata as { attempt?: unknown } | undefined)?.attempt;
    return !(constraint === RESULT_ATTEMPT_UNIQUE && Number.isInteger(named));
  }

  private async write(
    em: EntityManager,
    def: CollectionDef,
    sourcedId: string,
    json: OneRosterJson,
    ctx: HrefContext,
    reads: readonly LockedRead[],
  ): Promise<PutOutcome & { read: Record<string, unknown>; changed: boolean }> {
    await def.lockBeforeWrite?.(em);
    // Row lock (forward-only rules see the latest), reference check and the listeners' reads in one statement.
    const { existing, references, read } = await lockWithReferences<StoredObject>(
      em,
      def,
      { ...json, sourcedId },
      reads,
    );
    const data = await this.prepare(em, def, { ...json, sourcedId }, existing, references);
    // only a stored object may stay as it is
    if (!data) return { object: def.to(existing!, ctx), created: false, read, changed: false };
    if (existing) {
      // Same representation = nothing to write (PUT is idempotent: dateLastModified stays).
      // The stored object with the write applied (what it leaves out keeps its stored value, dateLastModified too).
      const candidate = Object.assign(new (def.entity as new () => StoredObject)(), { ...existing }, data);
      if (sameRepresentation(def.to(existing, ctx), def.to(candidate, ctx)))
        return { object: def.to(existing, ctx), created: false, read, changed: false };
      return { object: def.to(await updateLocked(em, def, existing, data), ctx), created: false, read, changed: true };
    }
    return { object: def.to(await insertNew<StoredObject>(em, def, data), ctx), created: true, read, changed: true };
  }

  /** POST: a new object; the server allocates the sourcedId when none is supplied. */
  async create(def: CollectionDef, body: unknown): Promise<{ suppliedSourcedId: string; allocatedSourcedId: string }> {
    const json = this.validated(def, def.specListPath, 'post', body);
    const sourcedId = typeof json.sourcedId === 'string' && json.sourcedId ? json.sourcedId : randomUUID();
    checkSourcedIdLength(def, sourcedId);
    try {
      await this.em.transactional(async (em) => {
        await def.lockBeforeWrite?.(em);
        if (await em.count(def.entity, { sourcedId })) {
          throw new AppError(
            ErrorCode.InvalidData,
            `${def.singular} '${sourcedId}' already exists; use PUT to replace it`,
          );
        }
        const data = await this.prepare(em, def, { ...json, sourcedId }, null);
        em.create(def.entity, data as never);
      });
    } catch (e) {
      if (e instanceof UniqueConstraintViolationException) {
        throw new AppError(ErrorCode.InvalidData, `${def.singular} conflicts with an existing object`);
      }
      throw missingRequired(def, e) ?? e;
    }
    return {
      suppliedSourcedId: typeof json.sourcedId === 'string' ? json.sourcedId : '',
      allocatedSourcedId: sourcedId,
    };
  }

  /** OneRoster deletes are soft: the object stays readable with status `tobedeleted`. */
  async remove(def: CollectionDef, sourcedId: string): Promise<void> {
    const entity = await this.em.findOne(def.entity, { sourcedId });
    if (!entity) throw AppError.notFound(def.singular, sourcedId);
    if (entity.status !== 'tobedeleted') {
      this.em.assign(entity, { status: 'tobedeleted' } as never);
      await this.em.flush();
    }
  }

  private validated(def: CollectionDef, specPath: string, method: string, body: unknown): OneRosterJson {
    const { named, total } = requestProblems(specPath, method, body);
    const problems = [...named];
    // Some upstream bodies omit `status`; it is still a OneRoster status wherever it appears.
    const status: unknown = (body as Record<string, OneRosterJson> | undefined)?.[def.singular]?.status;
    const badStatus = status !== undefined && status !== 'active' && status !== 'tobedeleted';
    if (badStatus && !named.some((p) => p.field.endsWith('.status'))) {
      problems.unshift({
        field: `${def.singular}.status`,
        message: `${def.singular}.status must be one of active, tobedeleted`,
      });
    }
    if (problems.length > 0) {
      throw AppError.problems(ErrorCode.InvalidRequest, problems, total + problems.length - named.length);
    }
    return (body as Record<string, OneRosterJson>)[def.singular];
  }

  /** The storable data (checks beyond the schema: write-checks.ts), then the collection's own rules. */
  private async prepare(
    em: EntityManager,
    def: CollectionDef,
    json: OneRosterJson,
    existing: StoredObject | null,
    references?: CheckedReferences,
  ) {
    const { data, referenced } = await storableData(em, def, json, existing, references);
    return def.prepareWrite ? def.prepareWrite(em, data, existing, referenced) : data;
  }
}

/**
 * The upstream PUT/POST schemas require next to nothing, but some columns cannot be stored empty (a class or a
 * resource without title): that is the caller's missing field (400 naming it), as the ORM reports it when
 * creating (flush) or replacing (assign).
 */
function missingRequired(def: CollectionDef, e: unknown): AppError | undefined {
  const message = e instanceof Error ? e.message : '';
  const prop =
    (e instanceof ValidationError ? /^Value for \w+\.(\w+) is required/.exec(message)?.[1] : undefined) ??
    /^You must pass a non-undefined value to the property (\w+) of entity/.exec(message)?.[1];
  return prop ? AppError.invalid(`${def.singular}.${prop} is required`, `${def.singular}.${prop}`) : undefined;
}

/**
 * Equal apart from dateLastModified, whatever the key order (jsonb does not keep it). Field by field, so a changed
 * scalar (a write-back's score or scoreStatus) answers at once; only object fields are compared in canonical form.
 */
function sameRepresentation(a: OneRosterJson, b: OneRosterJson): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) {
    if (k === 'dateLastModified') continue;
    if (!(k in b)) return false;
    const x: unknown = a[k] ?? null;
    const y: unknown = b[k] ?? null;
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (canonicalJson(x) !== canonicalJson(y)) return false;
  }
  return true;
}

/** The collection's derived fields, unless a `fields` projection leaves every one of them out. */
async function withDerived(
  em: EntityManager,
  def: CollectionDef,
  objects: OneRosterJson[],
  ctx: HrefContext,
  fields?: string[],
): Promise<void> {
  if (!def.derived || (fields && !def.derived.fields.some((f) => fields.includes(f)))) return;
  await def.derived.fill(em, objects, ctx);
}

function pick(o: OneRosterJson, fields: string[]): OneRosterJson {
  return Object.fromEntries(fields.filter((f) => f in o).map((f) => [f, o[f]]));
}

/** An object is made only with an id every endpoint can name (PowerPath's parameters stop at the same length). */
function checkSourcedIdLength(def: CollectionDef, sourcedId: string): void {
  if (!maxLength(sourcedId, MAX_SOURCED_ID_LENGTH))
    throw AppError.invalid(
      `${def.singular}.sourcedId must be at most ${MAX_SOURCED_ID_LENGTH} characters`,
      `${def.singular}.sourcedId`,
    );
}
