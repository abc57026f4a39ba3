import { createLesson, createStudent } from '../helpers/fixtures';
import { createTestApp, TestApp } from '../helpers/test-app';

describe('GET /metrics (Prometheus)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp()));
  afterAll(() => t.close());

  it('exposes route latency, tool call latency, circuit state and DB pool usage', async () => {
    const token = await t.token();
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm);
    await t
      .http()
      .post('/powerpath/makeExternalTestAssignment')
      .set('Authorization', `Bearer ${token}`)
      .send({ student: student.sourcedId, lesson: lesson.sourcedId })
      .expect(200);
    await t
      .http()
      .get('/ims/oneroster/rostering/v1p2/users/nobody')
      .set('Authorization', `Bearer ${token}`)
      .expect(404);

    const res = await t.http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/powerpath\/makeExternalTestAssignment",status="200"\} 1/,
    );
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/ims\/oneroster\/rostering\/v1p2\/users\/:sourcedId",status="404"\} 1/,
    );
    expect(res.text).toMatch(/vendor_call_duration_seconds_count\{tool="MasteryTrack",outcome="201"\} 1/);
    expect(res.text).toMatch(/vendor_circuit_state\{tool="MasteryTrack"\} 0/);
    expect(res.text).toMatch(/db_pool_connections\{state="used"\} \d+/);
    expect(res.text).toMatch(/process_resident_memory_bytes \d+/);
  });
});
