import fc from 'fast-check';
import type { Response } from 'supertest';
import { Scope } from '@external-tests/auth';
import { uid } from '../helpers/fixtures';
import { createTestApp, TestApp } from '../helpers/test-app';
import { expectMatchesSchema, oneRosterResponseValidator } from '../helpers/upstream-schema';
import { Case, invalidKinds, REFERENCES, SAME_ID, UNSERVED_REFERENCES, validCases, World } from './requests';
import { Operation, referencePaths, responseValidator, servedOperations } from './upstream-operations';

/**
 * Spec-driven conformance of the OneRoster endpoints: for every operation we serve, requests generated from the
 * upstream request schemas and parameters (spec/upstream/oneroster-api.yaml) — valid ones, and each way of being
 * invalid — sent through the full app, every answer checked against the status list and response schema the spec
 * gives the operation. Fixed seed and bounded runs for CI; CONFORMANCE_SEED / CONFORMANCE_RUNS explore further.
 */
const SEED = Number(process.env.CONFORMANCE_SEED ?? 20261212);
const RUNS = Number(process.env.CONFORMANCE_RUNS ?? 8);
const INVALID_RUNS = Math.max(1, Math.ceil(RUNS / 4));

const R = '/ims/oneroster/rostering/v1p2';
const G = '/ims/oneroster/gradebook/v1p2';
const OPERATIONS = servedOperations();

describe(`OneRoster conformance to the upstream spec (seed ${SEED}, ${RUNS} valid runs per operation)`, () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  let sent = 0;

  /** Objects the generated requests point at, made through the endpoints themselves. */
  const world: World = {
    ids: {},
    pinned: {},
  };

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '1000000' });
    tokens.full = await t.token();
    tokens.roster = await t.token(Scope.RosterReadonly);
    tokens.gradebook = await t.token(Scope.GradebookReadonly);
    const made = async (path: string, singular: string, body: Record<string, unknown>) => {
      const id = uid(singular);
      const res = await t
        .http()
        .put(`${path}/${id}`)
        .set('Authorization', `Bearer ${tokens.full}`)
        .send({ [singular]: body });
      if (res.status >= 300) throw new Error(`arrange ${singular}: ${res.status} ${JSON.stringify(res.body)}`);
      (world.ids[singular] ??= []).push(id);
      return id;
    };
    const twice = async (path: string, singular: string, body: (i: number) => Record<string, unknown>) => [
      await made(path, singular, body(0)),
      await made(path, singular, body(1)),
    ];
    const orgs = await twice(`${R}/orgs`, 'org', (i) => ({ name: `Org ${i}`, type: 'school' }));
    const users = await twice(`${R}/users`, 'user', (i) => ({
      enabledUser: true,
      givenName: `Student ${i}`,
      familyName: 'Conformance',
      roles: [{ roleType: 'primary', role: 'student', org: { sourcedId: orgs[i] } }],
    }));
    const courses = await twice(`${R}/courses`, 'course', (i) => ({
      status: 'active',
      title: `Course ${i}`,
      org: { sourcedId: orgs[i] },
    }));
    const classes = await twice(`${R}/classes`, 'class', (i) => ({
      title: `Class ${i}`,
      course: { sourcedId: courses[i] },
    }));
    await twice(`${R}/enrollments`, 'enrollment', (i) => ({
      role: 'student',
      user: { sourcedId: users[i] },
      class: { sourcedId: classes[i] },
    }));
    const units = await twice(`${R}/courses/components`, 'courseComponent', (i) => ({
      status: 'active',
      title: `Unit ${i}`,
      course: { sourcedId: courses[i] },
    }));
    const resources = await twice('/ims/oneroster/resources/v1p2/resources', 'resource', (i) => ({
      title: `Resource ${i}`,
      vendorResourceId: `v-${i}`,
    }));
    const lessons: string[] = [];
    for (const i of [0, 1]) {
      const id = uid('lesson');
      lessons.push(id);
      const res = await t
        .http()
        .put(`${R}/courses/component-resources/${id}`)
        .set('Authorization', `Bearer ${tokens.full}`)
        .send({
          componentResource: {
            sourcedId: id,
            status: 'active',
            title: `Lesson ${i}`,
            courseComponent: { sourcedId: units[i] },
            resource: { sourcedId: resources[i] },
          },
        });
      if (res.status !== 200) throw new Error(`arrange lesson: ${res.status} ${JSON.stringify(res.body)}`);
    }
    world.ids.componentResource = lessons;
    const top = await made(`${G}/assessmentLineItems`, 'assessmentLineItem', {
      status: 'active',
      title: 'Lesson 0',
      componentResource: { sourcedId: lessons[0] },
    });
    await made(`${G}/assessmentLineItems`, 'assessmentLineItem', {
      status: 'active',
      title: 'Question 1',
      parentAssessmentLineItem: { sourcedId: top },
    });
    for (const i of [0, 1]) {
      const pin = {
        assessmentLineItem: { sourcedId: world.ids.assessmentLineItem[i] },
        student: { sourcedId: users[i] },
      };
      const id = await made(`${G}/assessmentResults`, 'assessmentResult', {
        status: 'active',
        ...pin,
        scoreDate: '2026-11-01T10:00:00.000Z',
        scoreStatus: 'submitted',
      });
      world.pinned[id] = pin;
    }
  });
  afterAll(async () => {
    console.info(
      `OneRoster conformance: ${sent} requests over ${OPERATIONS.length} operations (seed ${SEED}, runs ${RUNS}/${INVALID_RUNS})`,
    );
    await t.close();
  });

  let made = 0;
  /** The case as sent: a new sourcedId made now where it asks for one, in the path and (if asked) the body. */
  function materialize(op: Operation, c: Case): Case & { sourcedId?: string } {
    if (!c.id) return c;
    const sourcedId = 'existing' in c.id ? c.id.existing : `conf-${++made}-${c.id.fresh}`;
    const path = c.path.replace('{sourcedId}', encodeURIComponent(sourcedId));
    const object = (c.body as Record<string, Record<string, unknown>> | undefined)?.[op.def.singular];
    if (object?.sourcedId !== SAME_ID) return { ...c, path, sourcedId };
    return { ...c, path, sourcedId, body: { [op.def.singular]: { ...object, sourcedId } } };
  }

  async function send(c: Case): Promise<Response> {
    sent++;
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(c.query ?? {})) for (const one of [v].flat()) query.append(k, one);
    const url = query.size > 0 ? `${c.path}?${query}` : c.path;
    const req = t.http()[c.method](url);
    const area = c.path.includes('/gradebook/') || c.path.includes('/resources/v1p2') ? 'roster' : 'gradebook';
    if (c.auth !== 'none') req.set('Authorization', `Bearer ${tokens[c.auth === 'full' ? 'full' : area]}`);
    return c.body === undefined ? req : req.send(c.body as object);
  }

  /** The spec's word on one answer, then what the case expects of it. */
  async function check(op: Operation, generated: Case): Promise<void> {
    const c = materialize(op, generated);
    const res = await send(c);
    const seen = `${c.method.toUpperCase()} ${c.path} ${JSON.stringify(c.query ?? {})} ${JSON.stringify(c.body ?? null).slice(0, 400)}\n→ ${res.status} ${res.text.slice(0, 600)}`;
    if (!op.statuses.includes(res.status))
      throw new Error(
        `${op.name} answered ${res.status}, which the spec does not list (${op.statuses.join(', ')}):\n${seen}`,
      );
    if (res.status >= 500) throw new Error(`${op.name} failed:\n${seen}`);
    if (res.status === 204) expect(res.text).toBe('');
    else expectMatchesSchema(responseValidator(op, res.status, !!c.query?.fields), res.body);

    const fields = c.query?.fields;
    if (res.status === 200 && typeof fields === 'string') {
      // `fields` selects what each object carries (lists and single objects alike).
      const selected = fields.split(',').map((f) => f.trim());
      const objects: Record<string, unknown>[] =
        op.kind === 'list' ? res.body[op.def.plural] : [res.body[op.def.singular]];
      const extra = objects.flatMap((o) => Object.keys(o).filter((k) => !selected.includes(k)));
      if (extra.length > 0)
        throw new Error(`fields=${fields} answered other fields too (${[...new Set(extra)].join(', ')}):\n${seen}`);
    }

    if (c.expect === 'success') {
      if (res.status === 422) {
        // Valid by the schema, but refused by a rule the collection declares beyond the spec: something it needs
        // that the spec does not require (a new class's course), a number it stores as an integer, or a domain rule
        // (a result's score within its line item's range).
        const needed = [
          ...(op.def.needs ?? []).map((n) => n.field),
          ...(op.def.integers ?? []),
          ...(op.def.ruled ?? []),
        ].map((f) => `${op.def.singular}.${f}`);
        const named = (res.body.imsx_error_details ?? []).map((d: { field: string }) => d.field);
        if (named.length === 0 || named.some((f: string) => !needed.includes(f)))
          throw new Error(`a valid request was refused:\n${seen}`);
        return;
      }
      if (res.status < 200 || res.status > 299) throw new Error(`a valid request was refused:\n${seen}`);
      if (op.kind !== 'put' && op.kind !== 'post') return;
      const id = op.kind === 'post' ? res.body.sourcedIdPairs.allocatedSourcedId : c.sourcedId!;
      if (op.kind === 'post' && res.body.sourcedIdPairs.suppliedSourcedId && id !== c.sourcedId)
        throw new Error(`the supplied sourcedId was not kept:\n${seen}`);
      // What was written reads back, in the spec's shape.
      const back = await send({
        method: 'get',
        path: op.def.specOnePath.replace('{sourcedId}', encodeURIComponent(id)),
        auth: 'full',
        expect: { status: 200 },
      });
      if (back.status !== 200) throw new Error(`written but not readable (${back.status}):\n${seen}`);
      expectMatchesSchema(oneRosterResponseValidator(op.def.specOnePath, 'get', '200'), back.body);
      return;
    }
    if (res.status !== c.expect.status) throw new Error(`expected ${c.expect.status}:\n${seen}`);
    const field = c.expect.field;
    if (field) {
      const named = (res.body.imsx_error_details ?? []).map((d: { field: string }) => d.field);
      if (!named.some((f: string) => f === field || f.startsWith(`${field}.`) || f.startsWith(`${field}[`)))
        throw new Error(`expected ${field} to be named:\n${seen}`);
    }
  }

  describe.each(OPERATIONS.map((op) => [op.name, op] as const))('%s', (_name, op) => {
    it('valid requests are answered with a listed status and the upstream schema', async () => {
      await fc.assert(
        fc.asyncProperty(validCases(op, world), async (c) => {
          fc.pre(c !== undefined);
          await check(op, c);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });

    it.each(invalidKinds(op).map((k) => [k.name, k] as const))('invalid: %s', async (_kind, k) => {
      await fc.assert(
        fc.asyncProperty(k.cases(world), async (c) => {
          fc.pre(c !== undefined);
          await check(op, c);
        }),
        { seed: SEED, numRuns: INVALID_RUNS },
      );
    });
  });

  it('every reference an upstream request body holds is classified: into a collection we serve, or not', () => {
    const unclassified = OPERATIONS.filter((op) => op.body).flatMap((op) =>
      referencePaths(op.body!.inner)
        .filter(
          (k) =>
            !Object.hasOwn(REFERENCES[op.def.singular] ?? {}, k) &&
            !(UNSERVED_REFERENCES[op.def.singular] ?? []).includes(k),
        )
        .map((k) => `${op.name}: ${op.def.singular}.${k}`),
    );
    expect(unclassified).toEqual([]);
  });

  // Issue 12 item 3: the spec lists no 409, and a school may keep several line items per lesson.
  it('a second top-level line item for a lesson that has one is accepted (issue 12 item 3)', async () => {
    const lesson = world.ids.componentResource[0];
    const res = await t
      .http()
      .put(`${G}/assessmentLineItems/${uid('li')}`)
      .set('Authorization', `Bearer ${tokens.full}`)
      .send({
        assessmentLineItem: { status: 'active', title: 'Another column', componentResource: { sourcedId: lesson } },
      });
    expect(res.status).toBe(201);
  });
});
