/**
 * The references the benchmark measures the app against, each in a child process of its own:
 * - `bare`: a bare node:http server answering a small JSON — the machine's floor for one event loop;
 * - `naive`: the assignment flow as it is often first written — one transaction and one connection held across
 *   the tool call (pool 10), no ledger, no auth, no validation — on the same database and MasteryTrack sandbox.
 * The naive variant is deliberately generous to itself (it skips everything but the SQL and the tool call).
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import type { ReferenceInit } from './load-types';

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

async function naiveHandler(init: Extract<ReferenceInit, { kind: 'naive' }>) {
  const pool = new Pool({ connectionString: init.databaseUrl, max: 10 });
  await pool.query(
    `create table if not exists bench_naive_results (student text not null, lesson text not null, attempt int not null,
       assignment_id text, primary key (student, lesson, attempt))`,
  );
  const auth = await fetch(`${init.masteryTrackUrl}/authorizer`, {
    method: 'POST',
    headers: { 'x-api-key': init.mtApiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ email: init.mtEmail }),
  });
  const { jwt } = (await auth.json()) as { jwt: string };

  return async (req: IncomingMessage, res: ServerResponse) => {
    const { student, lesson } = JSON.parse(await readBody(req)) as { student: string; lesson: string };
    const db = await pool.connect();
    try {
      await db.query('begin');
      const { rows } = await db.query<{ email: string; subject: string; grade: string }>(
        `select u.email, r.metadata->>'subject' subject, r.metadata->'grades'->>0 grade
         from users u, component_resources cr join resources r on r.sourced_id = cr.resource_sourced_id
         where u.sourced_id = $1 and cr.sourced_id = $2`,
        [student, lesson],
      );
      if (!rows[0]) {
        await db.query('rollback');
        return json(res, 404, { error: 'not found' });
      }
      await db.query(
        'insert into bench_naive_results (student, lesson, attempt) values ($1, $2, 1) on conflict do nothing',
        [student, lesson],
      );
      // The tool call, with the transaction (and its connection) held open.
      const mt = await fetch(`${init.masteryTrackUrl}/delivery/assignments/assign`, {
        method: 'POST',
        headers: { 'x-auth-token': `Bearer ${jwt}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          student_email: rows[0].email,
          subject: rows[0].subject,
          grade_rank: Number(rows[0].grade),
        }),
      });
      const body = (await mt.json()) as { data?: { assignment?: { id: number; test_url: string } } };
      const id = String(body.data?.assignment?.id ?? '');
      await db.query(
        'update bench_naive_results set assignment_id = $3 where student = $1 and lesson = $2 and attempt = 1',
        [student, lesson, id],
      );
      await db.query('commit');
      json(res, 200, {
        toolProvider: 'mastery-track',
        attempt: 1,
        assignmentId: id,
        testUrl: body.data?.assignment?.test_url,
      });
    } catch (e) {
      await db.query('rollback').catch(() => undefined);
      json(res, 500, { error: e instanceof Error ? e.message : String(e) });
    } finally {
      db.release();
    }
  };
}

process.once('message', (init: ReferenceInit) => {
  const ready =
    init.kind === 'bare'
      ? Promise.resolve((_req: IncomingMessage, res: ServerResponse) => json(res, 200, { status: 'ok' }))
      : naiveHandler(init);
  ready.then(
    (handler) => {
      const server = createServer((req, res) => void handler(req, res));
      server.listen(0, '127.0.0.1', () => {
        process.send!({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      });
      process.once('disconnect', () => server.close(() => process.exit(0)));
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
});
