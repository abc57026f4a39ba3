import { validateEnv } from './validate-env';

/** The smallest environment that boots (the dev issuer stands in for an identity provider). */
const BASE = { AUTH_DEV_ISSUER: 'true', DATABASE_URL: 'postgresql://app:s3cret@db.internal:5432/app' };
const KEY = (id: string, bytes = 32) => `${id}:${Buffer.alloc(bytes, 7).toString('base64')}`;

/** validateEnv's message, or '' when the environment is valid. */
function problemsOf(env: Record<string, string>): string {
  try {
    validateEnv({ ...BASE, ...env });
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

describe('validateEnv', () => {
  it('flags take true/false, 1/0, yes/no, on/off in any case; anything else stops the boot naming the variable', () => {
    for (const [value, read] of [
      ['true', true],
      ['ON', true],
      ['1', true],
      ['No', false],
      ['0', false],
      [' off ', false],
    ] as const) {
      expect(validateEnv({ ...BASE, DATABASE_PREPARED_STATEMENTS: value }).DATABASE_PREPARED_STATEMENTS).toBe(read);
    }
    for (const name of ['DATABASE_PREPARED_STATEMENTS', 'SANDBOX_TOOLS', 'SEED_DEMO_DATA', 'AUTH_DEV_ISSUER']) {
      expect(problemsOf({ [name]: 'maybe' })).toContain(
        `${name}: ${name} must be true or false (or 1/0, yes/no, on/off)`,
      );
    }
  });

  it('PUBLIC_BASE_URL is read without trailing slashes; credentials, a query or a fragment stop the boot', () => {
    expect(validateEnv({ ...BASE, PUBLIC_BASE_URL: 'https://api.school.example/eta//' }).PUBLIC_BASE_URL).toBe(
      'https://api.school.example/eta',
    );
    expect(validateEnv({ ...BASE, PUBLIC_BASE_URL: 'http://10.0.0.5:8080/' }).PUBLIC_BASE_URL).toBe(
      'http://10.0.0.5:8080',
    );
    for (const [url, extra] of [
      ['https://admin:s3cret@api.school.example', 'credentials'],
      ['https://api.school.example/eta?s3cret=1', 'a query'],
      ['https://api.school.example/eta#s3cret', 'a fragment'],
      ['https://api.school.example/eta?', 'a query'],
      ['https://api.school.example/eta#', 'a fragment'],
    ]) {
      const message = problemsOf({ PUBLIC_BASE_URL: url });
      expect(message).toContain(`PUBLIC_BASE_URL: must be scheme, host and path only, without ${extra}`);
      expect(message).not.toContain('s3cret');
    }
    expect(problemsOf({ PUBLIC_BASE_URL: 'ftp://api.school.example' })).toContain('PUBLIC_BASE_URL');
  });

  it('DATABASE_URL must be a PostgreSQL URL naming its database; the message never shows the value', () => {
    for (const url of ['mysql://app:s3cret@db/app', 'postgresql://app:s3cret@db.internal:5432', 'not a url s3cret']) {
      const message = problemsOf({ DATABASE_URL: url });
      expect(message).toContain('DATABASE_URL: must be a PostgreSQL URL naming its database');
      expect(message).not.toContain('s3cret');
    }
    // No host: pg's default, localhost.
    expect(problemsOf({ DATABASE_URL: 'postgresql:///app' })).toBe('');
  });

  it('accounts are JSON objects whose every account has its fields as text, named by account, not by value', () => {
    const mt = problemsOf({
      MASTERY_TRACK_ACCOUNTS: '{"a":{"apiKey":"k-s3cret","email":7},"b":{"apiKey":"k","email":"e"}}',
    });
    expect(mt).toContain("MASTERY_TRACK_ACCOUNTS: account 'a' needs email (text)");
    expect(mt).not.toContain("account 'b'");
    expect(mt).not.toContain('s3cret');
    expect(problemsOf({ EDULASTIC_ACCOUNTS: '{"x":{"username":"u"}}' })).toContain(
      "EDULASTIC_ACCOUNTS: account 'x' needs password (text)",
    );
    expect(problemsOf({ EDULASTIC_ACCOUNTS: '[1]' })).toContain('EDULASTIC_ACCOUNTS: must be {"<applicationName>"');
    expect(problemsOf({ EDULASTIC_ACCOUNTS: '{"x":{"username":"u","password":"p"}}' })).toBe('');
  });

  it('credential keys are checked as the cipher reads them, naming the variable and the entry, never the key', () => {
    expect(problemsOf({ CREDENTIALS_KEY: KEY('k1', 16) })).toContain(
      "CREDENTIALS_KEY: entry 1 ('k1') must hold 32 bytes (base64), not 16",
    );
    expect(problemsOf({ CREDENTIALS_KEY: KEY('k1'), CREDENTIALS_RETIRED_KEYS: `${KEY('old')},nocolon` })).toContain(
      'CREDENTIALS_RETIRED_KEYS: entry 2 must be <id>:<base64 of 32 bytes>',
    );
    // Written the wrong way round, the "id" is the key: it is not shown.
    const secret = Buffer.alloc(32, 9).toString('base64');
    const reversed = problemsOf({ CREDENTIALS_KEY: `${secret}:k1` });
    expect(reversed).toContain('CREDENTIALS_KEY: entry 1 must be <id>:<base64 of 32 bytes>');
    expect(reversed).not.toContain(secret.slice(0, 12));
    expect(problemsOf({ CREDENTIALS_KEY: KEY('k1'), CREDENTIALS_RETIRED_KEYS: KEY('old') })).toBe('');
  });

  it('a proxy variable (either case) must be a proxy URL; its value (credentials) is never shown', () => {
    expect(problemsOf({ HTTP_PROXY: 'notaurl:x' })).toContain('HTTP_PROXY: must be a proxy URL');
    expect(problemsOf({ https_proxy: 'ftp://user:s3cret@proxy:21' })).toContain('https_proxy: must be a proxy URL');
    expect(problemsOf({ https_proxy: 'ftp://user:s3cret@proxy:21' })).not.toContain('s3cret');
    // As proxy-agent reads them: a bare host:port, socks4a, a PAC file.
    for (const ok of <Record<string, string>[]>[
      { HTTPS_PROXY: 'http://user:pw@proxy.internal:3128', ALL_PROXY: 'socks5://proxy:1080' },
      { https_proxy: 'proxy.corp:3128', HTTP_PROXY: '10.0.0.1:3128' },
      { ALL_PROXY: 'socks4a://proxy:1080', HTTP_PROXY: 'pac+https://wpad.corp/proxy.pac' },
    ])
      expect(problemsOf(ok)).toBe('');
  });
});
