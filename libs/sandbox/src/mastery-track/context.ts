import type { MasteryTrackSandboxOptions } from './options';
import type { MasteryTrackStore } from './store';

/** What the MasteryTrack routes share: options, state and the host for student-facing links. */
export interface MasteryTrackContext {
  options: MasteryTrackSandboxOptions;
  store: MasteryTrackStore;
  /** No trailing slash. */
  studentAppUrl: string;
}
