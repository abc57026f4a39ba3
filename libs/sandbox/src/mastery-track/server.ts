import type { Express } from 'express';
import { buildSandboxApp } from '../app-shell';
import { sandboxControlRouter } from '../control-routes';
import { SandboxFaults } from '../faults';
import { serve, type SandboxHandle } from '../serve';
import { openSandboxState } from '../state-file';
import { masteryTrackApiRouter } from './api-router';
import type { MasteryTrackContext } from './context';
import { masteryTrackControlRouter } from './control-routes';
import { DEFAULT_MASTERY_TRACK_TESTS } from './default-tests';
import { faultBody, genericErrorBody } from './errors';
import type { MasteryTrackSandboxOptions } from './options';
import { MasteryTrackStore } from './store';
import { masteryTrackStudentPages } from './student-pages';

export type MasteryTrackSandbox = SandboxHandle & { app: Express };

/** Starts the MasteryTrack stand-in: vendor routes at the root, sandbox controls under /__sandbox. */
export async function startMasteryTrackSandbox(options: MasteryTrackSandboxOptions): Promise<MasteryTrackSandbox> {
  const store = new MasteryTrackStore(options.tests ?? DEFAULT_MASTERY_TRACK_TESTS);
  const state = openSandboxState(options.stateFile, store);
  const faults = new SandboxFaults(options.latencyMs ?? 0, faultBody);
  const server = await serve(options.host ?? '127.0.0.1', options.port ?? 0, (url) =>
    createApp(
      { options, store, studentAppUrl: (options.studentAppUrl ?? url).replace(/\/+$/, '') },
      faults,
      state.save,
    ),
  );
  return {
    url: server.url,
    port: server.port,
    restored: state.restored,
    close: async () => {
      await server.close();
      state.save?.();
    },
    app: server.listener,
    reset: () => {
      store.reset();
      faults.reset();
      state.save?.();
    },
  };
}

function createApp(ctx: MasteryTrackContext, faults: SandboxFaults, afterChange: (() => void) | undefined): Express {
  return buildSandboxApp({
    faults,
    afterChange,
    controlPrefix: '/__sandbox',
    controlRouters: [
      sandboxControlRouter(faults, genericErrorBody, () => ctx.store.reset()),
      masteryTrackControlRouter(ctx),
    ],
    apiPrefix: '/',
    api: masteryTrackApiRouter(ctx),
    errorBody: genericErrorBody,
    studentPages: masteryTrackStudentPages(ctx),
  });
}
