import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { AddressInfo } from 'node:net';

/** This app's own base URL, read from the listening socket (ports may be ephemeral in tests). */
@Injectable()
export class SelfUrl {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  get(): string {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as
      | { address(): AddressInfo | string | null }
      | undefined;
    const address = server?.address();
    if (!address || typeof address === 'string') throw new Error('The HTTP server is not listening yet');
    const host = address.address === '::' || address.address === '0.0.0.0' ? '127.0.0.1' : address.address;
    return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  }
}
