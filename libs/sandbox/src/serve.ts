import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What every started sandbox hands back to its caller. */
export interface SandboxHandle {
  url: string;
  port: number;
  /** True when the state was read from the sandbox's state file (a restart), false for a fresh start. */
  restored: boolean;
  close(): Promise<void>;
  reset(): void;
}

export interface ListeningServer {
  url: string;
  port: number;
  /** Bound to its server: may be handed on as a value. */
  close: () => Promise<void>;
}

/**
 * Binds first, then builds the request listener, because a sandbox's own URL (ephemeral port)
 * appears inside its responses (e.g. MasteryTrack's test_url).
 */
export async function serve<L extends RequestListener>(
  host: string,
  port: number,
  buildListener: (url: string) => L,
): Promise<ListeningServer & { listener: L }> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const boundPort = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  const listener = buildListener(url);
  server.on('request', listener);
  let closing: Promise<void> | undefined;
  return {
    listener,
    url,
    port: boundPort,
    // Idempotent, so startSandboxes().close() and a handle's own close() can both be called.
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets would otherwise hold close() open until they time out.
        server.closeAllConnections();
      })),
  };
}
