export type { SandboxHandle } from './serve';
export type { FaultSpec, RecordedCall } from './faults';
export type {
  MasteryTrackSandboxOptions,
  MasteryTrackSandboxTest,
  MasteryTrackWriteBackOptions,
} from './mastery-track/options';
export type { EdulasticAccount, EdulasticSandboxOptions, EdulasticSandboxTest } from './edulastic/options';
export { startMasteryTrackSandbox, type MasteryTrackSandbox } from './mastery-track/server';
export { startEdulasticSandbox, type EdulasticSandbox } from './edulastic/server';
export { startSandboxes, type Sandboxes, type SandboxesOptions } from './start-sandboxes';
export { DEFAULT_MASTERY_TRACK_TESTS } from './mastery-track/default-tests';
export { DEFAULT_EDULASTIC_TESTS } from './edulastic/default-tests';
