import request from 'supertest';
import { startEdulasticSandbox, startMasteryTrackSandbox } from '@external-tests/sandbox';
import { FakeOneRoster } from './fake-oneroster';

/** The student pages render what the tools hold (titles, emails) as text, never as markup. */
describe('sandbox student pages', () => {
  const hostile = `<img src=x onerror="alert(1)">`;

  it('Edulastic escapes the test title; an unknown test is a 404 page', async () => {
    const edu = await startEdulasticSandbox({
      accounts: [],
      tests: [{ id: '65a1f0c2e4b0a1b2c3d4e5ff', title: hostile, questionCount: 2 }],
    });
    try {
      const page = await request(edu.url).get('/assignments/embed/65a1f0c2e4b0a1b2c3d4e5ff').expect(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['content-security-policy']).toContain("default-src 'none'");
      expect(page.text).not.toContain('<img');
      expect(page.text).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
      await request(edu.url).get('/assignments/embed/65a1f0c2e4b0a1b2c3d4e500').expect(404);
      // Sign-in without a password is the same refusal as a wrong one.
      const refused = await request(edu.url)
        .post('/assignments/embed/65a1f0c2e4b0a1b2c3d4e5ff')
        .type('form')
        .send({ email: 'x@y.test' })
        .expect(401);
      expect(refused.text).toContain('Invalid username or password');
    } finally {
      await edu.close();
    }
  });

  it('MasteryTrack escapes the test name and the email it echoes', async () => {
    const mt = await startMasteryTrackSandbox({
      apiKey: 'k',
      integratorEmails: ['i@platform.test'],
      tests: [{ timeback_id: '_t1', name: hostile, subject: 'Math', grade: 'Third Grade', grade_rank: 3 }],
    });
    try {
      const { jwt } = (
        await request(mt.url).post('/authorizer').set('x-api-key', 'k').send({ email: 'i@platform.test' }).expect(200)
      ).body;
      const email = `o'<b>@school.test`;
      const assignment = (
        await request(mt.url)
          .post('/delivery/assignments/assign')
          .set('X-Auth-Token', `Bearer ${jwt}`)
          .send({ student_email: email, timeback_id: '_t1' })
          .expect(201)
      ).body.data.assignment;
      const page = await request(mt.url).post(`/assignment/${assignment.id}`).type('form').send({ email }).expect(200);
      expect(page.text).not.toMatch(/<img|<b>/);
      expect(page.text).toContain('o&#39;&lt;b&gt;@school.test');
      await request(mt.url).get('/assignment/999').expect(404);
    } finally {
      await mt.close();
    }
  });

  it('MasteryTrack submits nothing when the platform cannot say whose result it is (502 page, still open)', async () => {
    const platform = new FakeOneRoster();
    await platform.start();
    const mt = await startMasteryTrackSandbox({
      apiKey: 'k',
      integratorEmails: ['i@platform.test'],
      writeBack: {
        oneRosterBaseUrl: platform.url,
        tokenUrl: `${platform.url}/oauth2/token`,
        clientId: 'c',
        clientSecret: 's',
      },
    });
    try {
      const { jwt } = (
        await request(mt.url).post('/authorizer').set('x-api-key', 'k').send({ email: 'i@platform.test' }).expect(200)
      ).body;
      const assignment = (
        await request(mt.url)
          .post('/delivery/assignments/assign')
          .set('X-Auth-Token', `Bearer ${jwt}`)
          .send({
            student_email: 'ada@school.test',
            subject: 'Math',
            grade_rank: 3,
            assessment_line_item_sourced_id: 'li-1',
            assessment_result_sourced_id: 'ar-1',
          })
          .expect(201)
      ).body.data.assignment;
      // The fake gradebook answers the result lookup without a student.
      const page = await request(mt.url)
        .post(`/assignment/${assignment.id}/submit`)
        .type('form')
        .send({ email: 'ada@school.test', q0: '1' })
        .expect(502);
      expect(page.text).toContain('Nothing was submitted');
      expect(platform.received.map((r) => `${r.method} ${r.url}`)).toEqual([
        'POST /oauth2/token',
        'GET /ims/oneroster/gradebook/v1p2/assessmentResults/ar-1',
      ]);
      const listed = (await request(mt.url).get('/__sandbox/assignments').expect(200)).body.data;
      expect(listed).toEqual([expect.objectContaining({ id: assignment.id, status: 'ASSIGNED' })]);
    } finally {
      await mt.close();
      await platform.stop();
    }
  });
});
