import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A tiny token endpoint + OneRoster gradebook that records what MasteryTrack's write-back sends. */
export class FakeOneRoster {
  readonly received: ReceivedRequest[] = [];
  /** Status the next PUTs answer with. */
  putStatus = 200;
  tokenStatus = 200;
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        this.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        res.setHeader('content-type', 'application/json');
        if (req.url === '/oauth2/token') {
          res.statusCode = this.tokenStatus;
          res.end(
            JSON.stringify(
              this.tokenStatus === 200 ? { access_token: 'or-token', expires_in: 3600 } : { error: 'invalid_client' },
            ),
          );
          return;
        }
        res.statusCode = this.putStatus;
        res.end(JSON.stringify(this.putStatus === 200 ? { ok: true } : { imsx_codeMajor: 'failure' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  puts(): ReceivedRequest[] {
    return this.received.filter((r) => r.method === 'PUT');
  }

  clear(): void {
    this.received.length = 0;
    this.putStatus = 200;
    this.tokenStatus = 200;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
