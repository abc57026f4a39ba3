/**
 * `npm run demo`: starts the whole service on a laptop (embedded database in a temporary folder, both tool
 * sandboxes, dev token issuer, demo data) and walks through both tools as a platform would — token, assign,
 * the student completes the test, write-back / import, finalized attempt, enrollment — printing each step.
 * Exits 0 only when every step matched what was expected.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_EDULASTIC_TESTS } from '@external-tests/sandbox';
import { startDevStack } from './dev-stack';
import { freePort } from './free-port';

// Demo steps read loosely typed JSON answers; src/cli/demo.ts is exempt from no-explicit-any in eslint.config.mjs.
type Json = Record<string, any>;

interface Step {
  name: string;
  request: string;
  status: number;
  ok: boolean;
  detail: string;
}

const steps: Step[] = [];

async function call(
  base: string,
  method: string,
  path: string,
  o: { token?: string; body?: unknown; form?: string; basic?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (o.token) headers.Authorization = `Bearer ${o.token}`;
  if (o.basic) headers.Authorization = `Basic ${Buffer.from(o.basic).toString('base64')}`;
  if (o.body !== undefined) headers['Content-Type'] = 'application/json';
  if (o.form !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: o.form ?? (o.body === undefined ? undefined : JSON.stringify(o.body)),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
}

function record(name: string, request: string, status: number, ok: boolean, detail: string): void {
  steps.push({ name, request, status, ok, detail });
  process.stdout.write(`${ok ? '✔' : '✘'} ${name}\n    ${request} → ${status}  ${detail}\n`);
}

async function main(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'eta-demo-'));
  const [port, dbPort, mtPort, eduPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  process.env.LOG_LEVEL ??= 'warn';
  const stack = await startDevStack({
    PORT: String(port),
    EMBEDDED_DB_DIR: join(dataDir, 'pglite'),
    SANDBOX_STATE_DIR: join(dataDir, 'sandboxes'),
    EMBEDDED_DB_PORT: String(dbPort),
    SANDBOX_MASTERY_TRACK_PORT: String(mtPort),
    SANDBOX_EDULASTIC_PORT: String(eduPort),
  });
  const base = stack.baseUrl;
  const { masteryTrack, edulastic } = stack.sandboxes!;
  process.stdout.write(
    `\nService at ${base} (Swagger UI ${base}/docs), MasteryTrack sandbox ${masteryTrack.url}, Edulastic sandbox ${edulastic.url}\n\n`,
  );
  try {
    const tok = await call(base, 'POST', '/oauth2/token', {
      basic: `${stack.env.AUTH_DEV_CLIENT_ID}:${stack.env.AUTH_DEV_CLIENT_SECRET}`,
      form: 'grant_type=client_credentials',
    });
    record(
      'Get an access token (client credentials)',
      'POST /oauth2/token',
      tok.status,
      tok.status === 200 && !!tok.body.access_token,
      `expires_in=${tok.body.expires_in}`,
    );
    const token = tok.body.access_token as string;

    // MasteryTrack: placement, 95 → mastered → the Math grade 5 track.
    const mt = { student: 'student-mt-1', lesson: 'lesson-mt-placement' };
    const a1 = await call(base, 'POST', '/powerpath/makeExternalTestAssignment', { token, body: mt });
    record(
      'MasteryTrack: assign the placement test',
      'POST /powerpath/makeExternalTestAssignment',
      a1.status,
      a1.status === 200 && a1.body.toolProvider === 'mastery-track' && a1.body.attempt === 1,
      `attempt=${a1.body.attempt} assignmentId=${a1.body.assignmentId} testUrl=${a1.body.testUrl}`,
    );
    const done = await call(masteryTrack.url, 'POST', `/__sandbox/assignments/${a1.body.assignmentId}/complete`, {
      body: { score: 95, totalQuestions: 20, correctQuestions: 19, studentSourcedId: mt.student },
    });
    record(
      'MasteryTrack: the student finishes (score 95) and MasteryTrack writes the result back',
      `POST sandbox /__sandbox/assignments/${a1.body.assignmentId}/complete`,
      done.status,
      done.status === 200 && done.body.data?.writeBack?.status === 201,
      `write-back PUT answered ${done.body.data?.writeBack?.status}, scoreStatus=${done.body.data?.writeBack?.body?.assessmentResult?.scoreStatus}`,
    );
    const i1 = await call(
      base,
      'GET',
      `/powerpath/importExternalTestAssignmentResults?student=${mt.student}&lesson=${mt.lesson}`,
      { token },
    );
    record(
      'MasteryTrack: import sees the finalized attempt',
      'GET /powerpath/importExternalTestAssignmentResults',
      i1.status,
      i1.status === 200 && i1.body.finalized === true,
      `finalized=${i1.body.finalized} attempt=${i1.body.attempt}`,
    );
    const p1 = await call(base, 'GET', `/powerpath/getAssessmentProgress?student=${mt.student}&lesson=${mt.lesson}`, {
      token,
    });
    record(
      'MasteryTrack: progress',
      'GET /powerpath/getAssessmentProgress',
      p1.status,
      p1.status === 200 && p1.body.score === 95 && p1.body.enrollmentFailed === false,
      `score=${p1.body.score} accuracy=${p1.body.accuracy} correct=${p1.body.correctQuestions}/${p1.body.totalQuestions} enrollmentFailed=${p1.body.enrollmentFailed}`,
    );
    await enrollment(base, token, mt.student, 'course-math-5');

    // Edulastic: test-out, every answer right → mastered → the Math grade 5 track.
    const edu = { student: 'student-edu-1', lesson: 'lesson-edu-test-out' };
    const a2 = await call(base, 'POST', '/powerpath/makeExternalTestAssignment', { token, body: edu });
    record(
      'Edulastic: assign the test-out',
      'POST /powerpath/makeExternalTestAssignment',
      a2.status,
      a2.status === 200 && a2.body.toolProvider === 'edulastic' && !!a2.body.credentials?.password,
      `assignmentId=${a2.body.assignmentId} classId=${a2.body.classId} login=${a2.body.credentials?.email} / (password, ${a2.body.credentials?.password?.length} chars)`,
    );
    const test = DEFAULT_EDULASTIC_TESTS.find((x) => x.id === a2.body.testId);
    const answers = Array.from({ length: test?.questionCount ?? 0 }, () => ({ score: 1, maxScore: 1 }));
    const sub = await call(edulastic.url, 'POST', '/api/__sandbox/submit', {
      body: { assignmentId: a2.body.assignmentId, email: a2.body.credentials?.email, answers, graded: 'GRADED' },
    });
    record(
      `Edulastic: the student answers all ${answers.length} questions and the test is graded`,
      'POST sandbox /api/__sandbox/submit',
      sub.status,
      sub.status === 200,
      'submitted, GRADED',
    );
    const i2 = await call(
      base,
      'GET',
      `/powerpath/importExternalTestAssignmentResults?student=${edu.student}&lesson=${edu.lesson}`,
      { token },
    );
    record(
      'Edulastic: import pulls the gradebook and finalizes',
      'GET /powerpath/importExternalTestAssignmentResults',
      i2.status,
      i2.status === 200 && i2.body.finalized === true,
      `finalized=${i2.body.finalized} attempt=${i2.body.attempt}`,
    );
    const p2 = await call(base, 'GET', `/powerpath/getAssessmentProgress?student=${edu.student}&lesson=${edu.lesson}`, {
      token,
    });
    record(
      'Edulastic: progress',
      'GET /powerpath/getAssessmentProgress',
      p2.status,
      p2.status === 200 && p2.body.score === 100 && p2.body.finalized === true,
      `score=${p2.body.score} correct=${p2.body.correctQuestions}/${p2.body.totalQuestions} enrollmentFailed=${p2.body.enrollmentFailed}`,
    );
    await enrollment(base, token, edu.student, 'course-math-5');

    const again = await call(base, 'POST', '/powerpath/makeExternalTestAssignment', { token, body: edu });
    record(
      'Edulastic: assigning again after a finalized attempt starts attempt 2',
      'POST /powerpath/makeExternalTestAssignment',
      again.status,
      again.status === 200 && again.body.attempt === 2,
      `attempt=${again.body.attempt}`,
    );
  } catch (e) {
    record('Unexpected failure', '-', 0, false, e instanceof Error ? e.message : String(e));
  } finally {
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const failed = steps.filter((s) => !s.ok).length;
  process.stdout.write(`\n${'Step'.padEnd(88)} Status  Result\n${'-'.repeat(104)}\n`);
  for (const s of steps)
    process.stdout.write(`${s.name.slice(0, 87).padEnd(88)} ${String(s.status).padEnd(7)} ${s.ok ? 'ok' : 'FAILED'}\n`);
  process.stdout.write(`\n${steps.length - failed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

async function enrollment(base: string, token: string, student: string, course: string): Promise<void> {
  const filter = encodeURIComponent(`user.sourcedId='${student}'`);
  const res = await call(base, 'GET', `/ims/oneroster/rostering/v1p2/enrollments?filter=${filter}`, { token });
  const classes = (res.body.enrollments ?? []).map((e: Json) => e.class.sourcedId as string);
  const cls = classes.length
    ? await call(base, 'GET', `/ims/oneroster/rostering/v1p2/classes/${classes[0]}`, { token })
    : undefined;
  const enrolledCourse = cls?.body.class?.course?.sourcedId;
  record(
    `Enrollment: ${student} is enrolled in ${course}`,
    'GET /ims/oneroster/rostering/v1p2/enrollments',
    res.status,
    res.status === 200 && enrolledCourse === course,
    `class=${classes.join(',') || '-'} course=${enrolledCourse ?? '-'}`,
  );
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`Demo failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
