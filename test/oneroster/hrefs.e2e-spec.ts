import { uid } from '../helpers/fixtures';
import { createTestApp, Sandboxes, TestApp } from '../helpers/test-app';

/**
 * Where an answer's hrefs point: at PUBLIC_BASE_URL when it is set (path prefix included, whatever Host the request
 * carried), else at the address the request used — a trusted proxy's X-Forwarded-Host/-Proto, never an untrusted
 * caller's.
 */
const R = '/ims/oneroster/rostering/v1p2';

describe('OneRoster hrefs', () => {
  let shared: Sandboxes | undefined;
  const apps: TestApp[] = [];
  afterAll(async () => {
    // The first app owns the sandboxes the others borrow: it closes last.
    for (const t of apps.reverse()) await t.close();
  });
  const app = async (env: Record<string, string>) => {
    const t = await createTestApp(env, shared ? { sandboxes: shared } : {});
    shared ??= t.sandboxes;
    apps.push(t);
    return t;
  };

  /** The href of a new org's parent, read with the given headers. */
  const parentHref = async (t: TestApp, headers: Record<string, string>) => {
    const auth = { Authorization: `Bearer ${await t.token()}` };
    const [parent, child] = [uid('org-parent'), uid('org-child')];
    const org = (id: string, extra = {}) => ({
      org: { sourcedId: id, status: 'active', name: id, type: 'school', ...extra },
    });
    await t.http().put(`${R}/orgs/${parent}`).set(auth).send(org(parent)).expect(201);
    const put = await t
      .http()
      .put(`${R}/orgs/${child}`)
      .set(auth)
      .set(headers)
      .send(org(child, { parent: { sourcedId: parent } }))
      .expect(201);
    const read = await t.http().get(`${R}/orgs/${child}`).set(auth).set(headers).expect(200);
    const listed = await t
      .http()
      .get(`${R}/orgs`)
      .query({ filter: `sourcedId='${child}'` })
      .set(auth)
      .set(headers);
    // The PUT's answer, the read and the list agree.
    expect([put.body.org.parent.href, listed.body.orgs[0].parent.href]).toEqual([
      read.body.org.parent.href,
      read.body.org.parent.href,
    ]);
    return { href: read.body.org.parent.href as string, parent };
  };

  it('unset PUBLIC_BASE_URL, no trusted proxy: the Host the caller used; X-Forwarded-* is not believed', async () => {
    const t = await app({});
    const { href, parent } = await parentHref(t, {
      Host: 'school.example:8443',
      'X-Forwarded-Host': 'evil.example',
      'X-Forwarded-Proto': 'https',
    });
    expect(href).toBe(`http://school.example:8443${R}/orgs/${parent}`);
  });

  it("behind a trusted proxy: its X-Forwarded-Host and -Proto (the proxy's upstream Host is not the caller's)", async () => {
    const t = await app({ TRUSTED_PROXIES: 'loopback' });
    const { href, parent } = await parentHref(t, {
      Host: 'app-upstream:3000',
      'X-Forwarded-Host': 'eta.school.example',
      'X-Forwarded-Proto': 'https',
    });
    expect(href).toBe(`https://eta.school.example${R}/orgs/${parent}`);
  });

  it("a trusted proxy's forwarded values that are not a host or http(s) are not written into hrefs", async () => {
    const t = await app({ TRUSTED_PROXIES: 'loopback' });
    for (const [forwarded, expected] of [
      [{ 'X-Forwarded-Host': 'evil.example/phish?x=', 'X-Forwarded-Proto': 'https' }, 'https://app-upstream:3000'],
      [{ 'X-Forwarded-Host': 'eta.school.example', 'X-Forwarded-Proto': 'javascript' }, 'http://eta.school.example'],
      [{ 'X-Forwarded-Host': '"><script>', 'X-Forwarded-Proto': 'http' }, 'http://app-upstream:3000'],
      // Several proxies: the last one's (the one next to us) is believed.
      [{ 'X-Forwarded-Host': 'evil.example, eta.school.example' }, 'http://eta.school.example'],
    ] as const) {
      const { href, parent } = await parentHref(t, { Host: 'app-upstream:3000', ...forwarded });
      expect(href).toBe(`${expected}${R}/orgs/${parent}`);
    }
  });

  it('PUBLIC_BASE_URL set: every href starts with it, path prefix included, whatever the Host or the proxy says', async () => {
    const t = await app({ PUBLIC_BASE_URL: 'https://api.school.example/eta/', TRUSTED_PROXIES: 'loopback' });
    const { href, parent } = await parentHref(t, { Host: 'evil.example', 'X-Forwarded-Host': 'other.example' });
    expect(href).toBe(`https://api.school.example/eta${R}/orgs/${parent}`);
  });
});
