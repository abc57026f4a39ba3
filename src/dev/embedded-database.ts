import { mkdirSync } from 'node:fs';

export interface EmbeddedDatabase {
  clientUrl: string;
  close(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  /** Folder the data is kept in; without one the database lives in memory (tests). */
  dataDir?: string;
  /** Loopback port; 0 = any free one (see clientUrl). */
  port: number;
  /** Client connections the server accepts (default 10, the app's default pool). */
  maxConnections?: number;
}

/**
 * PGlite (PostgreSQL compiled to WASM) served over the Postgres wire protocol on a loopback port, so
 * `npm start` needs no server and the app still talks to it through the ordinary PostgreSQL driver.
 */
export async function startEmbeddedDatabase(o: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  if (o.dataDir) mkdirSync(o.dataDir, { recursive: true });
  const db = await PGlite.create(o.dataDir);
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: o.port,
    maxConnections: o.maxConnections ?? 10,
  });
  await server.start();
  return {
    // host:port as bound (the OS picks the port when asked for 0).
    clientUrl: `postgresql://postgres@${server.getServerConn()}/postgres`,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
