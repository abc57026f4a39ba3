import request from 'supertest';
import type { Sandboxes } from './test-app';
import { waitFor } from './wait-for';

type Tool = 'masteryTrack' | 'edulastic';

const prefix = (tool: Tool) => (tool === 'edulastic' ? '/api/__sandbox' : '/__sandbox');

/** The sandboxes' own control API over HTTP: calls made, injected faults, state. */
export function sandboxControl(sandboxes: Sandboxes, tool: Tool) {
  const base = sandboxes[tool].url;
  const p = prefix(tool);
  return {
    async calls(): Promise<{ method: string; path: string; status: number; ms?: number }[]> {
      return (await request(base).get(`${p}/calls`).expect(200)).body.calls;
    },
    async count(method: string, path: string): Promise<number> {
      return (await this.calls()).filter((c) => c.method === method && c.path === path).length;
    },
    /**
     * Resolves once a call to `method path` has arrived and its connection is still open (the sandbox sets `ms` as
     * it closes; status 0 alone would also match a call it dropped).
     */
    async untilInFlight(method: string, path: string): Promise<void> {
      await waitFor(
        async () => (await this.calls()).some((c) => c.method === method && c.path === path && c.ms === undefined),
        `${method} ${path} in flight at the sandbox`,
      );
    },
    async fault(spec: Record<string, unknown>): Promise<void> {
      await request(base)
        .post(`${p}/faults`)
        .send(spec)
        .expect((r) => {
          if (r.status >= 300) throw new Error(`fault not accepted: ${r.status} ${JSON.stringify(r.body)}`);
        });
    },
    async clearFaults(): Promise<void> {
      await request(base).delete(`${p}/faults`);
    },
    async reset(): Promise<void> {
      await request(base).post(`${p}/reset`);
    },
  };
}

/**
 * MasteryTrack answers its assign call `delayMs` late (the next `times` calls; the next one when omitted), so an
 * assignment request stays in flight at the tool while the test does something else.
 */
export function delayMasteryTrackAssign(sandboxes: Sandboxes, delayMs: number, times?: number): Promise<void> {
  return sandboxControl(sandboxes, 'masteryTrack').fault({
    method: 'POST',
    path: '/delivery/assignments/assign',
    delayMs,
    ...(times === undefined ? {} : { times }),
  });
}
