import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { MasteryTrackSandboxOptions, startSandboxes } from '@external-tests/sandbox';

/**
 * The packages as another service uses them: installed from their tarballs, composed by HostModule with the
 * host's own configuration, on a database where the host already has a `users` table of its own. Everything is
 * driven over HTTP: OneRoster roster data, an authored lesson, the assignment, MasteryTrack's write-back.
 */
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const DATABASE = 'host_service_example';
const databaseUrl = () => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DATABASE}`;
  return url.toString();
};
const CLIENT = { id: 'host-client', secret: 'host-secret-value' };
const OR = '/ims/oneroster/rostering/v1p2';

async function sql<T = Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('a host service installing the packages', () => {
  let app: INestApplication;
  let base: string;
  let token: string;
  let sandboxes: Awaited<ReturnType<typeof startSandboxes>>;
  const mtOptions: MasteryTrackSandboxOptions = { apiKey: 'host-mt-key', integratorEmails: ['svc@host.example'] };

  beforeAll(async () => {
    await sql(ADMIN_URL, `drop database if exists ${DATABASE} with (force)`);
    await sql(ADMIN_URL, `create database ${DATABASE}`);
    // The host's own table, named like one of ours.
    await sql(databaseUrl(), `create table public.users (id serial primary key, login text not null)`);
    await sql(databaseUrl(), `insert into public.users (login) values ('host-admin')`);

    sandboxes = await startSandboxes({
      masteryTrack: mtOptions,
      edulastic: { accounts: [{ username: 'teacher@host.example', password: 'edu-pw' }] },
    });
    Object.assign(process.env, {
      DATABASE_URL: databaseUrl(),
      EXTERNAL_TESTS_SCHEMA: 'external_tests',
      MASTERY_TRACK_URL: sandboxes.masteryTrack.url,
      MASTERY_TRACK_API_KEY: 'host-mt-key',
      MASTERY_TRACK_EMAIL: 'svc@host.example',
      EDULASTIC_URL: sandboxes.edulastic.url,
      EDULASTIC_USERNAME: 'teacher@host.example',
      EDULASTIC_PASSWORD: 'edu-pw',
      CREDENTIAL_KEY: randomBytes(32).toString('base64'),
      HOST_CLIENT_ID: CLIENT.id,
      HOST_CLIENT_SECRET: CLIENT.secret,
    });
    // Read after the environment is set: HostModule hands AuthModule its options when it is defined.
    const { HostModule } = await import('../src/host.module');
    app = await NestFactory.create(HostModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    mtOptions.writeBack = {
      oneRosterBaseUrl: base,
      tokenUrl: `${base}/oauth2/token`,
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
    };
    const tok = await request(base)
      .post('/oauth2/token')
      .auth(CLIENT.id, CLIENT.secret)
      .type('form')
      .send({ grant_type: 'client_credentials' })
      .expect(200);
    token = tok.body.access_token;
  });

  afterAll(async () => {
    await app?.close();
    await sandboxes?.close();
  });

  /** PUT creates or replaces (the spec answers 201 or 200 depending on the collection). */
  const put = async (path: string, body: object) => {
    const res = await request(base).put(path).auth(token, { type: 'bearer' }).send(body);
    if (res.status >= 300) throw new Error(`PUT ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  };

  it('assigns a MasteryTrack test and finalizes it from the write-back', async () => {
    await put(`${OR}/orgs/host-org`, {
      org: { sourcedId: 'host-org', status: 'active', name: 'Host School', type: 'school' },
    });
    await put(`${OR}/courses/host-math-4`, {
      course: {
        sourcedId: 'host-math-4',
        status: 'active',
        title: 'Math 4',
        grades: ['4'],
        subjects: ['Math'],
        org: { sourcedId: 'host-org' },
      },
    });
    await put(`${OR}/users/host-student`, {
      user: {
        sourcedId: 'host-student',
        status: 'active',
        enabledUser: true,
        givenName: 'Hana',
        familyName: 'Host',
        email: 'hana@host.example',
        roles: [{ roleType: 'primary', role: 'student', org: { sourcedId: 'host-org' } }],
      },
    });
    const lesson = await request(base)
      .post('/powerpath/createExternalTestOut')
      .auth(token, { type: 'bearer' })
      .send({ lessonType: 'test-out', courseId: 'host-math-4', toolProvider: 'mastery-track', grades: ['4'], xp: 100 })
      .expect(200);

    const assigned = await request(base)
      .post('/powerpath/makeExternalTestAssignment')
      .auth(token, { type: 'bearer' })
      .send({ student: 'host-student', lesson: lesson.body.lessonId })
      .expect(200);
    expect(assigned.body).toMatchObject({ toolProvider: 'mastery-track', attempt: 1 });

    const done = await request(sandboxes.masteryTrack.url)
      .post(`/__sandbox/assignments/${assigned.body.assignmentId}/complete`)
      .send({ score: 95, totalQuestions: 20, correctQuestions: 19, studentSourcedId: 'host-student' })
      .expect(200);
    expect(done.body.data.writeBack.status).toBe(201);

    const results = await request(base)
      .get('/powerpath/importExternalTestAssignmentResults')
      .query({ student: 'host-student', lesson: lesson.body.lessonId })
      .auth(token, { type: 'bearer' })
      .expect(200);
    expect(results.body).toMatchObject({ finalized: true, attempt: 1 });
  });

  it('answers errors in the imsx envelope', async () => {
    const res = await request(base)
      .post('/powerpath/makeExternalTestAssignment')
      .auth(token, { type: 'bearer' })
      .send({ student: 'host-student', lesson: 'no-such-lesson', extra: 1 })
      .expect(400);
    expect(res.body).toMatchObject({ imsx_codeMajor: 'failure', imsx_severity: 'error' });
    await request(base).post('/powerpath/makeExternalTestAssignment').send({}).expect(401);
  });

  it('keeps its tables and migration log in their own schema, next to the host’s', async () => {
    expect(await sql(databaseUrl(), `select login from public.users`)).toEqual([{ login: 'host-admin' }]);
    const [student] = await sql(
      databaseUrl(),
      `select email from external_tests.users where sourced_id = 'host-student'`,
    );
    expect(student).toEqual({ email: 'hana@host.example' });
    const migrations = await sql<{ n: string }>(
      databaseUrl(),
      `select count(*) as n from external_tests.mikro_orm_migrations`,
    );
    expect(Number(migrations[0].n)).toBeGreaterThan(0);
    expect(
      await sql(
        databaseUrl(),
        `select 1 from information_schema.tables where table_schema = 'public' and table_name = 'mikro_orm_migrations'`,
      ),
    ).toEqual([]);
  });

  it('migrates with the package’s bin as a deploy step', () => {
    const bin = join(__dirname, '..', 'node_modules', '.bin', 'external-tests-migrate');
    const out = execFileSync(bin, ['--schema', 'external_tests'], {
      env: { ...process.env, DATABASE_URL: databaseUrl() },
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('Applied 0 migration(s) in schema external_tests');
    const inline = execFileSync(bin, ['--schema=external_tests'], {
      env: { ...process.env, DATABASE_URL: databaseUrl() },
    });
    expect(inline.toString().trim()).toBe('Applied 0 migration(s) in schema external_tests');
  });

  it.each([[['--schema']], [['--scheme', 'external_tests']], [['--schema=']]])(
    'the bin refuses %j instead of migrating the default schema',
    (args) => {
      const bin = join(__dirname, '..', 'node_modules', '.bin', 'external-tests-migrate');
      let status: number | null = null;
      try {
        execFileSync(bin, args, { env: { ...process.env, DATABASE_URL: databaseUrl() }, stdio: 'pipe' });
      } catch (e) {
        status = (e as { status: number | null }).status;
      }
      expect(status).toBe(2);
    },
  );
});
