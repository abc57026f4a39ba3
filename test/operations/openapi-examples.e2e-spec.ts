import type {
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  RequestBodyObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { createDemoApp } from '../helpers/demo-app';
import { TestApp } from '../helpers/test-app';

interface ExampleRequest {
  label: string;
  operationId: string;
  method: string;
  url: string;
  body?: unknown;
  /** Swagger UI sends the token only where the operation has a security requirement. */
  secured: boolean;
}

/**
 * Every request example of the document Swagger UI shows works on a fresh `npm start`: each is sent, as Swagger UI
 * would send it (named body examples, else the body its schema's examples make; parameter examples pre-filled), in
 * document order to the app holding the demo data, with both sandboxes, and answers 2xx.
 */
describe('request examples of the OpenAPI document', () => {
  let t: TestApp;
  let doc: OpenAPIObject;

  beforeAll(async () => {
    t = await createDemoApp('examples');
    doc = (await t.http().get('/docs-json').expect(200)).body as OpenAPIObject;
  }, 60_000);
  afterAll(() => t.close());

  it('each one answers 2xx on the demo data', async () => {
    const token = await t.token();
    const requests = exampleRequests(doc);
    expect(requests.map((r) => r.operationId)).toEqual(
      expect.arrayContaining(['makeExternalTestAssignment', 'createExternalTestOut', 'getAllUsers', 'putSubjectTrack']),
    );
    const failed: unknown[] = [];
    const answers = new Map<string, { body: Record<string, unknown> }>();
    for (const r of requests) {
      // createNewAttempt needs a finished attempt (its description says so): the student completes the
      // MasteryTrack test the makeExternalTestAssignment example assigned, as in the README's loop.
      if (r.operationId === 'createNewAttempt') await completeMasteryTrackTest(t, answers);
      let req = t.http()[r.method as 'get'](r.url);
      if (r.secured) req = req.set('Authorization', `Bearer ${token}`);
      if (r.body !== undefined) req = req.send(r.body as object);
      const res = await req;
      answers.set(r.label, res);
      if (res.status < 200 || res.status > 299) failed.push([r.label, res.status, res.body?.imsx_description]);
    }
    expect(failed).toEqual([]);
  });
});

/** The requests Swagger UI's Try it out makes from the document's examples, in document order. */
function exampleRequests(doc: OpenAPIObject): ExampleRequest[] {
  const out: ExampleRequest[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item as Record<string, OperationObject>)) {
      const params = (op.parameters ?? []) as ParameterObject[];
      const value = (p: ParameterObject) => p.example ?? (p.schema as SchemaObject | undefined)?.example;
      // An operation whose required parameters have no example is not an example (DELETE, on purpose).
      if (params.some((p) => p.required && value(p) === undefined)) continue;
      let url = path;
      const query = new URLSearchParams();
      for (const p of params) {
        const v = value(p);
        if (v === undefined) continue;
        if (p.in === 'path') url = url.replace(`{${p.name}}`, encodeURIComponent(String(v)));
        if (p.in === 'query') query.set(p.name, String(v));
      }
      if ([...query].length > 0) url += `?${query}`;
      const content = (op.requestBody as RequestBodyObject | undefined)?.content?.['application/json'];
      const operationId = op.operationId!;
      const secured = (op.security ?? doc.security ?? []).length > 0;
      if (content?.examples) {
        for (const [name, ex] of Object.entries(content.examples)) {
          out.push({
            label: `${operationId} ${name}`,
            operationId,
            method,
            url,
            secured,
            body: (ex as { value: unknown }).value,
          });
        }
      } else if (content?.schema) {
        const body = sample(doc, content.schema);
        if (body !== undefined) out.push({ label: operationId, operationId, method, url, secured, body });
      } else if (params.some((p) => value(p) !== undefined)) {
        out.push({ label: operationId, operationId, method, url, secured });
      }
    }
  }
  return out;
}

/** The body a schema's examples make (what Swagger UI pre-fills), or undefined when none of it has one. */
function sample(doc: OpenAPIObject, schema: SchemaObject & { $ref?: string }): unknown {
  if (schema.$ref) return sample(doc, doc.components!.schemas![schema.$ref.split('/').pop()!]);
  if (schema.example !== undefined) return schema.example;
  if (!schema.properties) return undefined;
  const entries = Object.entries(schema.properties)
    .map(([k, s]) => [k, sample(doc, s)] as const)
    .filter(([, v]) => v !== undefined);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** The student finishes the test of the explicit-test MasteryTrack example; MasteryTrack writes the score back. */
async function completeMasteryTrackTest(t: TestApp, answers: Map<string, { body: Record<string, unknown> }>) {
  const assignmentId = String(answers.get('makeExternalTestAssignment masteryTrackTestId')?.body.assignmentId);
  const res = await fetch(`${t.sandboxes.masteryTrack.url}/__sandbox/assignments/${assignmentId}/complete`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ score: 95, totalQuestions: 20, correctQuestions: 19, studentSourcedId: 'student-mt-1' }),
  });
  expect(res.status).toBe(200);
}
