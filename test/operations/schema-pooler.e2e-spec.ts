import { randomBytes } from 'node:crypto';
import { AddressInfo, createConnection, createServer, Server, Socket } from 'node:net';
import { Client } from 'pg';
import { MIGRATIONS, runMigrations } from '@external-tests/persistence';
import { workerDatabaseUrl } from '../helpers/test-database';

/** PostgreSQL's protocol 3.0 startup message: length, version, then key\0value\0 pairs and a final \0. */
const PROTOCOL_3 = 196608;

/**
 * A pooler in front of PostgreSQL that drops the startup option `options` (PgBouncer with
 * `ignore_startup_parameters = options` does this): our schema never reaches the connection's search_path.
 * Enough for node-postgres without TLS on loopback: the startup message comes first and in one chunk.
 */
function optionDroppingProxy(target: URL): Promise<Server> {
  const server = createServer((client: Socket) => {
    const upstream = createConnection(Number(target.port || 5432), target.hostname);
    client.once('data', (startup: Buffer) => {
      const length = startup.readInt32BE(0);
      if (startup.readInt32BE(4) === PROTOCOL_3) {
        const fields = startup
          .subarray(8, length - 1)
          .toString('utf8')
          .split('\0');
        const kept: string[] = [];
        for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] !== 'options') kept.push(fields[i], fields[i + 1]);
        const body = Buffer.from(`${kept.join('\0')}\0\0`, 'utf8');
        const head = Buffer.alloc(8);
        head.writeInt32BE(8 + body.length, 0);
        head.writeInt32BE(PROTOCOL_3, 4);
        upstream.write(Buffer.concat([head, body, startup.subarray(length)]));
      } else upstream.write(startup);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    const close = () => (client.destroy(), upstream.destroy());
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function schemaExists(name: string): Promise<boolean> {
  const db = new Client({ connectionString: workerDatabaseUrl() });
  await db.connect();
  try {
    const { rows } = await db.query('select 1 from information_schema.schemata where schema_name = $1', [name]);
    return rows.length > 0;
  } finally {
    await db.end();
  }
}

describe('PersistenceOptions.schema behind a pooler', () => {
  const schema = `pooled_${randomBytes(4).toString('hex')}`;
  let proxy: Server;
  let proxiedUrl: string;

  beforeAll(async () => {
    const direct = new URL(workerDatabaseUrl());
    proxy = await optionDroppingProxy(direct);
    const proxied = new URL(direct);
    proxied.hostname = '127.0.0.1';
    proxied.port = String((proxy.address() as AddressInfo).port);
    proxiedUrl = proxied.toString();
  });
  afterAll(async () => {
    await new Promise((resolve) => proxy.close(resolve));
    const db = new Client({ connectionString: workerDatabaseUrl() });
    await db.connect();
    await db.query(`drop schema if exists ${schema} cascade`);
    await db.end();
  });

  it('refuses to migrate when the connection does not carry the schema, before touching anything', async () => {
    await expect(runMigrations({ clientUrl: proxiedUrl, schema })).rejects.toThrow(
      new RegExp(`schema is '${schema}' but the connection's search_path is '.*public.*'`),
    );
    expect(await schemaExists(schema)).toBe(false);
  });

  it('migrates into the schema when the startup option gets through', async () => {
    expect(await runMigrations({ clientUrl: workerDatabaseUrl(), schema })).toBe(MIGRATIONS.length);
    expect(await schemaExists(schema)).toBe(true);
  });
});
