import { RequestContext } from '@mikro-orm/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeedDocument, SeedLoader } from '@external-tests/oneroster';
import { createTestApp, TestApp } from '../helpers/test-app';
import { expectMatchesSchema, powerPathResponseValidator } from '../helpers/upstream-schema';

const PP = '/powerpath';
const DEMO_STUDENT = { 'mastery-track': 'student-mt-1', edulastic: 'student-edu-1' } as Record<string, string>;

/** The Swagger UI examples of the authoring endpoints work against `npm start`'s demo data and sandboxes. */
describe('authoring examples on the demo data', () => {
  let t: TestApp;
  let token: string;
  let examples: Record<string, Record<string, { value: Record<string, unknown> }>>;

  beforeAll(async () => {
    t = await createTestApp();
    token = await t.token();
    const doc = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'demo.json'), 'utf8')) as SeedDocument;
    await RequestContext.create(t.orm.em, () => t.app.get(SeedLoader).load(doc, t.baseUrl));
    const openApi = SwaggerModule.createDocument(t.app, new DocumentBuilder().build());
    examples = Object.fromEntries(
      ['createExternalPlacementTest', 'createExternalTestOut'].map((op) => [
        op,
        (openApi.paths[`${PP}/${op}`].post!.requestBody as never as { content: Record<string, { examples: never }> })
          .content['application/json'].examples,
      ]),
    );
  });
  afterAll(() => t.close());

  it.each(['createExternalPlacementTest', 'createExternalTestOut'])(
    '%s: every example answers 200 (again: the same lesson), and the lesson is assignable to the demo student',
    async (op) => {
      expect(Object.keys(examples[op]).length).toBeGreaterThanOrEqual(4);
      for (const [name, { value }] of Object.entries(examples[op])) {
        const created = await t.http().post(`${PP}/${op}`).set('Authorization', `Bearer ${token}`).send(value);
        expect([name, created.status]).toEqual([name, 200]);
        expectMatchesSchema(powerPathResponseValidator(`${PP}/${op}`, 'post', '200'), created.body);
        const again = await t
          .http()
          .post(`${PP}/${op}`)
          .set('Authorization', `Bearer ${token}`)
          .send(value)
          .expect(200);
        expect(again.body.lessonId).toBe(created.body.lessonId);

        const student = DEMO_STUDENT[String(value.toolProvider)];
        const assigned = await t
          .http()
          .post(`${PP}/makeExternalTestAssignment`)
          .set('Authorization', `Bearer ${token}`)
          .send({ student, lesson: created.body.lessonId });
        expect([name, assigned.status, assigned.status === 200 ? '' : assigned.body.imsx_description]).toEqual([
          name,
          200,
          '',
        ]);
      }
    },
  );

  it('testOut answers for the demo student and course of its query examples', async () => {
    const res = await t
      .http()
      .get(`${PP}/testOut`)
      .set('Authorization', `Bearer ${token}`)
      .query({ student: 'student-mt-1', course: 'course-math-5' })
      .expect(200);
    expectMatchesSchema(powerPathResponseValidator(`${PP}/testOut`, 'get', '200'), res.body);
  });
});
