import { hrefContext } from './href-context';

const req = (host: string, headerHost: string | undefined = host, protocol = 'http') => ({
  protocol,
  host,
  headers: { host: headerHost },
});

describe('hrefContext', () => {
  it('starts at the public base URL when one is configured, without its trailing slashes', () => {
    expect(hrefContext(req('evil.example'), { publicBaseUrl: 'https://api.school.example/eta/' })).toEqual({
      baseUrl: 'https://api.school.example/eta',
    });
  });

  it("else at the request's address, a forwarded host and protocol taken when they are a host and http(s)", () => {
    expect(hrefContext(req('eta.school.example', 'upstream:3000', 'HTTPS'), {}).baseUrl).toBe(
      'https://eta.school.example',
    );
    expect(hrefContext(req('[::1]:8080'), {}).baseUrl).toBe('http://[::1]:8080');
    expect(hrefContext(req('evil.example/x?', 'upstream:3000', 'javascript'), {}).baseUrl).toBe('http://upstream:3000');
  });

  it("never writes a Host that is not a host, even where nothing checked it before routing (a library host's app)", () => {
    expect(hrefContext(req('"><script>', '"><script>'), {}).baseUrl).toBe('http://localhost');
    expect(hrefContext(req('', undefined), {}).baseUrl).toBe('http://localhost');
  });
});
