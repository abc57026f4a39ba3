import { Writable } from 'node:stream';
import { createTestApp } from '../helpers/test-app';

/**
 * Issue 11, finding 6: Nest's route mapping and module wiring lines are logged at debug, so the default level
 * (info) shows none of them. One app at debug shows both facts (pino keeps one root logger per process, so a second
 * app in this file would log through the first one's level).
 */
describe('start-up log lines', () => {
  it("Nest's route mapping lines are there at debug, and only at debug", async () => {
    const chunks: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, cb) => (chunks.push(String(chunk)), cb()) });
    const t = await createTestApp({ LOG_LEVEL: 'debug' }, { hooks: { logDestination: sink } });
    await t.close();
    const lines = chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { level: number; context?: string; msg?: string });

    const startup = lines.filter((l) =>
      ['RoutesResolver', 'RouterExplorer', 'InstanceLoader'].includes(l.context ?? ''),
    );
    expect(startup.filter((l) => /^Mapped \{/.test(l.msg ?? '')).length).toBeGreaterThan(20);
    expect(startup.filter((l) => l.level !== 20)).toEqual([]);
  });
});
