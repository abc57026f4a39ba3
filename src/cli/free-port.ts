import { createServer } from 'node:net';

/** A port that was free a moment ago on 127.0.0.1 (good enough for a one-shot local run). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Which of `ports` (0 = any, skipped) something already listens on at `host`. */
export async function busyPorts(ports: number[], host = '127.0.0.1'): Promise<number[]> {
  const busy: number[] = [];
  for (const port of ports.filter((p) => p > 0)) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, host, () => server.close(() => resolve(true)));
    });
    if (!free) busy.push(port);
  }
  return busy;
}
