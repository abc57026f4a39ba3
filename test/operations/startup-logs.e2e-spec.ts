import { Writable } from 'node:stream';
import { createTestApp } from '../helpers/test-app';

/**
 * Issue 11, finding 6: Nest's route mapping and module wiring lines are logged at debug, so the default level
 * (info) shows none of them. One app at debug shows both facts (pino keeps one root logger per process, so a second
 * app in this file would log through the first one's level). The same app runs MasteryTrack with no write-back client
 * (a value that names none), which no attempt could finalize under: that is said once, at warn.
 */
describe('start-up log lines', () => {
  let lines: { level: number; context?: string; msg?: string }[];

  beforeAll(async () => {
    const chunks: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, cb) => (chunks.push(String(chunk)), cb()) });
    const t = await createTestApp(
      { LOG_LEVEL: 'debug', MASTERY_TRACK_WRITEBACK_CLIENTS: ' , ' },
      { hooks: { logDestination: sink } },
    );
    await t.close();
    lines = chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { level: number; context?: string; msg?: string });
  });

  it("Nest's route mapping lines are there at debug, and only at debug", () => {
    const startup = lines.filter((l) =>
      ['RoutesResolver', 'RouterExplorer', 'InstanceLoader'].includes(l.context ?? ''),
    );
    expect(startup.filter((l) => /^Mapped \{/.test(l.msg ?? '')).length).toBeGreaterThan(20);
    expect(startup.filter((l) => l.level !== 20)).toEqual([]);
  });

  it('MasteryTrack without a write-back client is a warning at boot, once', () => {
    const said = lines.filter((l) => /MASTERY_TRACK_WRITEBACK_CLIENTS names no OAuth client/.test(l.msg ?? ''));
    expect(said.map((l) => [l.level, l.context])).toEqual([[40, 'MasteryTrackProvider']]);
  });
});
