import { createLesson, createStudent, uid } from '../helpers/fixtures';
import { resultRow } from '../helpers/rows';
import { createTestApp, TestApp } from '../helpers/test-app';

/**
 * Issue 12 findings 3–4: the flow finds its own line item by what it recorded (lesson_line_items), so other
 * gradebook writers may keep as many line items per lesson as they like.
 */
const LINE_ITEMS = '/ims/oneroster/gradebook/v1p2/assessmentLineItems';

describe("the assignment flow's line item of a lesson", () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await createTestApp();
    token = await t.token();
  });
  afterAll(() => t.close());

  it('another line item for the same lesson is created (201) and readable; the flow keeps using its own', async () => {
    const [first, second] = [await createStudent(t.orm), await createStudent(t.orm)];
    const lesson = await createLesson(t.orm);
    const auth = { Authorization: `Bearer ${token}` };
    await t
      .http()
      .post('/powerpath/makeExternalTestAssignment')
      .set(auth)
      .send({ student: first.sourcedId, lesson: lesson.sourcedId })
      .expect(200);
    const flowLineItem = (await resultRow(t.orm, first.sourcedId, lesson.sourcedId)).line_item_sourced_id;

    const id = uid('school-column');
    const put = await t
      .http()
      .put(`${LINE_ITEMS}/${id}`)
      .set(auth)
      .send({
        assessmentLineItem: {
          sourcedId: id,
          status: 'active',
          title: 'Teacher column',
          componentResource: { sourcedId: lesson.sourcedId },
        },
      });
    expect(put.status).toBe(201);
    const read = await t.http().get(`${LINE_ITEMS}/${id}`).set(auth).expect(200);
    expect(read.body.assessmentLineItem.componentResource.sourcedId).toBe(lesson.sourcedId);

    await t
      .http()
      .post('/powerpath/makeExternalTestAssignment')
      .set(auth)
      .send({ student: second.sourcedId, lesson: lesson.sourcedId })
      .expect(200);
    expect((await resultRow(t.orm, second.sourcedId, lesson.sourcedId)).line_item_sourced_id).toBe(flowLineItem);
  });
});
