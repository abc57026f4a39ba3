import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { VendorCallObserver } from '@external-tests/common';

interface KnexPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

/** Prometheus metrics: HTTP latency per route, tool call latency and outcomes, circuit state, DB pool. */
@Injectable()
export class MetricsService implements VendorCallObserver {
  readonly registry = new Registry();
  private readonly clients: { tool: string; circuitState: number }[] = [];

  readonly http = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly vendorLatency = new Histogram({
    name: 'vendor_call_duration_seconds',
    help: 'Latency of one HTTP attempt to an assessment tool',
    labelNames: ['tool', 'outcome'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly vendorErrors = new Counter({
    name: 'vendor_call_errors_total',
    help: 'Tool attempts that failed (5xx, 429, timeout, unreachable, bad response)',
    labelNames: ['tool', 'outcome'],
    registers: [this.registry],
  });

  constructor(orm: MikroORM) {
    collectDefaultMetrics({ register: this.registry });
    const clients = this.clients;
    new Gauge({
      name: 'vendor_circuit_state',
      help: 'Circuit breaker per tool: 0 closed, 1 open, 2 half-open, 3 isolated',
      labelNames: ['tool'],
      registers: [this.registry],
      collect() {
        for (const c of clients) this.set({ tool: c.tool }, c.circuitState);
      },
    });
    const pool = () => (orm.em.getKnex().client as { pool?: KnexPool }).pool;
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections by state',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const p = pool();
        if (!p) return;
        this.set({ state: 'used' }, p.numUsed());
        this.set({ state: 'free' }, p.numFree());
        this.set({ state: 'pending' }, p.numPendingAcquires());
      },
    });
  }

  register(client: { tool: string; circuitState: number }): void {
    this.clients.push(client);
  }

  attempt(tool: string, outcome: string, seconds: number): void {
    this.vendorLatency.observe({ tool, outcome }, seconds);
    if (!/^[1-4]\d\d$/.test(outcome) || outcome === '429' || outcome === '408')
      this.vendorErrors.inc({ tool, outcome });
  }
}
