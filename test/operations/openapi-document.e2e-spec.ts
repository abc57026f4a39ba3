import type {
  OpenAPIObject,
  OperationObject,
  ParameterObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { createTestApp, TestApp } from '../helpers/test-app';

interface Operation {
  method: string;
  path: string;
  op: OperationObject;
}

/**
 * The document Swagger UI reads (/docs-json, dev issuer on): its security matches what the guards do, and it
 * reads well (operationIds, tags, typed parameters, summaries).
 */
describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: OpenAPIObject;
  let operations: Operation[];

  beforeAll(async () => {
    t = await createTestApp();
    doc = (await t.http().get('/docs-json').expect(200)).body as OpenAPIObject;
    operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item as Record<string, OperationObject>).map(([method, op]) => ({ method, path, op })),
    );
  });
  afterAll(() => t.close());

  it('without PUBLIC_BASE_URL, Try it out calls where the page came from', () => {
    expect(doc.servers).toEqual([{ url: '/', description: 'This deployment' }]);
    expect(doc.components!.securitySchemes!.oauth2).toMatchObject({
      flows: { clientCredentials: { tokenUrl: '/oauth2/token' } },
    });
  });

  it("with the dev issuer, Authorize says where its client's secret is, never the secret", () => {
    const { description } = doc.components!.securitySchemes!.oauth2 as { description: string };
    expect(description).toContain('`npm start` prints (AUTH_DEV_CLIENT_SECRET)');
    expect(JSON.stringify(doc)).not.toContain(t.client.secret);
  });

  it('Authorize lists oauth2 (client credentials) first, then bearer', () => {
    expect(Object.keys(doc.components!.securitySchemes!)).toEqual(['oauth2', 'bearer']);
    expect(doc.security).toEqual([{ oauth2: [] }, { bearer: [] }]);
  });

  it('every operation that answers 401 without a token accepts oauth2 and bearer; every other one has no security', async () => {
    expect(operations.length).toBeGreaterThan(50);
    const seen: string[] = [];
    for (const { method, path, op } of operations) {
      const url = path.replace(/\{[^}]+\}/g, 'probe');
      const res = await t.http()[method as 'get'](url);
      const security = op.security ?? doc.security;
      if (res.status === 401) {
        expect([op.operationId, security]).toEqual([op.operationId, [{ oauth2: [] }, { bearer: [] }]]);
      } else {
        // Public: `security: []` on the operation, so Swagger UI shows no lock and sends no token.
        expect([op.operationId, res.status, op.security]).toEqual([op.operationId, res.status, []]);
        seen.push(op.operationId!);
      }
    }
    expect(seen.sort()).toEqual(['getLiveness', 'getReadiness', 'issueAccessToken']);
  });

  it('every PowerPath operation with a JSON body documents the 415 it answers for another type', async () => {
    const token = await t.token();
    const withBody = operations.filter(({ path, op }) => path.startsWith('/powerpath/') && op.requestBody);
    expect(withBody.length).toBeGreaterThanOrEqual(5);
    for (const { method, path, op } of withBody) {
      const res = await t
        .http()
        [method as 'post'](path)
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'text/plain')
        .send('{"student":"s"}');
      expect([op.operationId, res.status, Object.keys(op.responses)]).toEqual([
        op.operationId,
        415,
        expect.arrayContaining(['415']),
      ]);
    }
  });

  it('every operation has a meaningful, unique operationId (none generated from a controller name)', () => {
    const ids = operations.map(({ op }) => op.operationId ?? '');
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z0-9]+$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('tags are described and in reading order: auth, PowerPath, OneRoster rostering, resources, gradebook, subject tracks, health', () => {
    const names = doc.tags!.map((tag) => tag.name);
    expect(names).toEqual([
      'Auth (development issuer)',
      'PowerPath - Course Mastery',
      'OneRoster - Orgs',
      'OneRoster - Users',
      'OneRoster - Courses',
      'OneRoster - Classes',
      'OneRoster - Enrollments',
      'OneRoster - Course components',
      'OneRoster - Component resources (lessons)',
      'OneRoster - Resources',
      'OneRoster - Assessment line items',
      'OneRoster - Assessment results',
      'EduBridge - Subject tracks',
      'Health',
    ]);
    for (const tag of doc.tags!) expect([tag.name, tag.description?.length ?? 0]).not.toEqual([tag.name, 0]);
    for (const { op } of operations) expect(names).toEqual(expect.arrayContaining(op.tags ?? ['(untagged)']));
  });

  it('every parameter is typed; the list parameters carry examples, but search only names one (not pre-filled)', () => {
    for (const { op } of operations) {
      for (const p of (op.parameters ?? []) as ParameterObject[]) {
        expect([op.operationId, p.name, p.schema && 'type' in p.schema]).toEqual([op.operationId, p.name, true]);
      }
    }
    const users = operations.find(({ op }) => op.operationId === 'getAllUsers')!.op;
    const param = (name: string) => (users.parameters as ParameterObject[]).find((q) => q.name === name);
    for (const name of ['limit', 'offset', 'sort', 'orderBy', 'filter', 'fields']) {
      expect([name, (param(name)?.schema as { example?: unknown } | undefined)?.example]).not.toEqual([
        name,
        undefined,
      ]);
    }
    // Swagger UI pre-fills an example: a search would make a first Execute list one user and read as if that were all.
    for (const { op } of operations) {
      const search = ((op.parameters ?? []) as ParameterObject[]).find((q) => q.name === 'search');
      if (search) {
        const { example, examples, schema } = search;
        expect([op.operationId, schema, example, examples]).toEqual([
          op.operationId,
          { type: 'string' },
          undefined,
          undefined,
        ]);
      }
    }
    expect(param('search')?.description).toMatch(/\(e\.g\. `Maya`\)$/);
  });

  it('summaries are in sentence case (names of things keep their capitals)', () => {
    const names = new Set(['Edulastic', 'MasteryTrack', 'OneRoster', 'PowerPath', 'RFC', 'HTTP', 'OAuth2', 'ID']);
    for (const { op } of operations) {
      const summary = op.summary ?? '';
      expect([op.operationId, /^[A-Z]/.test(summary)]).toEqual([op.operationId, true]);
      const capitalised = summary
        .split(/[\s(]+/)
        .slice(1)
        .filter((w) => /^[A-Z][a-z]+$/.test(w) && !names.has(w));
      expect([op.operationId, capitalised]).toEqual([op.operationId, []]);
    }
  });
});

describe('OpenAPI document behind an external identity provider (no dev issuer)', () => {
  const schemesOf = async (env: Record<string, string>) => {
    const t = await createTestApp({
      AUTH_DEV_ISSUER: 'false',
      AUTH_JWKS_URL: 'https://idp.example.org/.well-known/jwks.json',
      AUTH_ISSUER: 'https://idp.example.org',
      ...env,
    });
    try {
      const doc = (await t.http().get('/docs-json').expect(200)).body as OpenAPIObject;
      return { schemes: doc.components!.securitySchemes!, security: doc.security };
    } finally {
      await t.close();
    }
  };

  it("names the provider's token endpoint (AUTH_TOKEN_URL) in the OAuth2 scheme, not this service's", async () => {
    const { schemes, security } = await schemesOf({ AUTH_TOKEN_URL: 'https://idp.example.org/oauth2/token' });
    expect(schemes.oauth2).toMatchObject({
      flows: { clientCredentials: { tokenUrl: 'https://idp.example.org/oauth2/token' } },
    });
    expect(security).toEqual([{ oauth2: [] }, { bearer: [] }]);
  });

  it("with PUBLIC_BASE_URL, Try it out and the dev issuer's token endpoint go under its path (same origin as the page)", async () => {
    const t = await createTestApp({ PUBLIC_BASE_URL: 'https://api.school.example/eta/' });
    try {
      const doc = (await t.http().get('/docs-json').expect(200)).body as OpenAPIObject;
      expect(doc.servers).toEqual([{ url: '/eta', description: 'This deployment' }]);
      expect(doc.components!.securitySchemes!.oauth2).toMatchObject({
        flows: { clientCredentials: { tokenUrl: '/eta/oauth2/token' } },
      });
      // A page opened at another of the service's names would call this origin cross-site.
      expect(JSON.stringify(doc)).not.toContain('api.school.example');
    } finally {
      await t.close();
    }
  });

  it('without a token endpoint to name, bearer is the only scheme', async () => {
    const { schemes, security } = await schemesOf({});
    expect(Object.keys(schemes)).toEqual(['bearer']);
    expect(security).toEqual([{ bearer: [] }]);
  });
});
