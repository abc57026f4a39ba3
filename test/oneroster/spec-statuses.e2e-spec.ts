import { COLLECTIONS } from '@external-tests/oneroster';
import { createTestApp, TestApp } from '../helpers/test-app';
import { oneRosterUpstream } from '../helpers/upstream-schema';

type Operations = Record<string, Record<string, { responses: Record<string, unknown> }>>;

/**
 * Every OneRoster operation we serve answers only the statuses `spec/upstream/oneroster-api.yaml` lists for it.
 * This checks what our OpenAPI document promises; the conformance run (test/conformance) checks what we answer.
 */
describe('OneRoster statuses are the upstream spec’s', () => {
  let t: TestApp;
  let documented: Operations;
  const upstream = () => oneRosterUpstream().spec.paths as Operations;
  /** Our route → the upstream path (the spec writes most list paths with a trailing slash). */
  const upstreamPath = (path: string, method: string) => [path, `${path}/`].find((p) => upstream()[p]?.[method]);

  beforeAll(async () => {
    t = await createTestApp();
    documented = (await t.http().get('/docs-json').expect(200)).body.paths;
  });
  afterAll(() => t.close());

  const served: { path: string; method: string }[] = COLLECTIONS.flatMap((def) => [
    ...['get', 'post'].map((method) => ({ path: def.path, method })),
    ...['get', 'put', 'delete'].map((method) => ({ path: `${def.path}/{sourcedId}`, method })),
  ]);

  it('serves 10 collections × 5 operations, each an upstream operation', () => {
    expect(served).toHaveLength(50);
    const ours = Object.entries(documented)
      .filter(([path]) => path.startsWith('/ims/oneroster/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`));
    expect(ours.sort()).toEqual(served.map((o) => `${o.method} ${o.path}`).sort());
    expect(served.filter((o) => !upstreamPath(o.path, o.method))).toEqual([]);
  });

  it.each(served)(
    '$method $path documents only statuses the spec lists, including its success status',
    ({ path, method }) => {
      const allowed = Object.keys(upstream()[upstreamPath(path, method)!][method].responses);
      const ours = Object.keys(documented[path][method].responses);
      expect({ unlisted: ours.filter((s) => !allowed.includes(s)) }).toEqual({ unlisted: [] });
      expect(ours).toContain(allowed.find((s) => s.startsWith('2')));
    },
  );
});
