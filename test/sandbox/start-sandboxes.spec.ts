import request from 'supertest';
import { startSandboxes } from '@external-tests/sandbox';

describe('startSandboxes', () => {
  it('starts both tools on their own ports and closes both', async () => {
    const sandboxes = await startSandboxes({
      masteryTrack: { apiKey: 'k', integratorEmails: ['i@platform.test'] },
      edulastic: { accounts: [{ username: 't@platform.test', password: 'p' }] },
    });
    expect(sandboxes.masteryTrack.port).not.toBe(sandboxes.edulastic.port);
    await request(sandboxes.masteryTrack.url)
      .post('/authorizer')
      .set('x-api-key', 'k')
      .send({ email: 'i@platform.test' })
      .expect(200);
    await request(sandboxes.edulastic.url)
      .post('/api/auth/login')
      .send({ username: 't@platform.test', password: 'p' })
      .expect(200);

    await sandboxes.close();
    await sandboxes.masteryTrack.close();
    await expect(request(sandboxes.edulastic.url).get('/api/__sandbox/calls')).rejects.toThrow();
  });

  it('rejects Edulastic test ids that are not ObjectIds, leaving nothing running', async () => {
    await expect(
      startSandboxes({
        masteryTrack: { apiKey: 'k', integratorEmails: [], port: 0 },
        edulastic: { accounts: [], tests: [{ id: 'not-hex', title: 'x', questionCount: 1 }] },
      }),
    ).rejects.toThrow('24 hex');
  });
});
