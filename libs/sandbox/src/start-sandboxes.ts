import { startEdulasticSandbox, type EdulasticSandbox } from './edulastic/server';
import type { EdulasticSandboxOptions } from './edulastic/options';
import { startMasteryTrackSandbox, type MasteryTrackSandbox } from './mastery-track/server';
import type { MasteryTrackSandboxOptions } from './mastery-track/options';

export interface SandboxesOptions {
  masteryTrack: MasteryTrackSandboxOptions;
  edulastic: EdulasticSandboxOptions;
}

export interface Sandboxes {
  masteryTrack: MasteryTrackSandbox;
  edulastic: EdulasticSandbox;
  close(): Promise<void>;
}

/** Starts both tools; if the second cannot start, the first is closed again. */
export async function startSandboxes(options: SandboxesOptions): Promise<Sandboxes> {
  const masteryTrack = await startMasteryTrackSandbox(options.masteryTrack);
  let edulastic: EdulasticSandbox;
  try {
    edulastic = await startEdulasticSandbox(options.edulastic);
  } catch (err) {
    await masteryTrack.close();
    throw err;
  }
  return {
    masteryTrack,
    edulastic,
    close: async () => {
      await Promise.all([masteryTrack.close(), edulastic.close()]);
    },
  };
}
