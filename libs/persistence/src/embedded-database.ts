import { mkdirSync } from 'node:fs';
import { AddressInfo } from 'node:net';

export interface EmbeddedDatabase {
  clientUrl: string;
  close(): Promise<void>;
}

/**
 * PGlite (PostgreSQL compiled to WASM) served over the Postgres wire protocol on a loopback port, so
 * `npm start` needs no server and the app still talks to it through the ordinary PostgreSQL driver.
 */
export async function startEmbeddedDatabase(o: { dataDir: string; port: number }): Promise<EmbeddedDatabase> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  mkdirSync(o.dataDir, { recursive: true });
  const db = await PGlite.create(o.dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: o.port, maxConnections: 10 });
  await server.start();
  const port = o.port || (server as unknown as { server?: { address(): AddressInfo } }).server?.address().port;
  return {
    clientUrl: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
