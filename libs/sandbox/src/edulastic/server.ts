import type { Express } from 'express';
import { STATUS_CODES } from 'node:http';
import { buildSandboxApp } from '../app-shell';
import { sandboxControlRouter } from '../control-routes';
import { SandboxFaults } from '../faults';
import { isObjectId } from '../ids';
import { serve, type SandboxHandle } from '../serve';
import { openSandboxState } from '../state-file';
import { edulasticApiRouter } from './api-router';
import { edulasticControlRouter } from './control-routes';
import { DEFAULT_EDULASTIC_TESTS } from './default-tests';
import { messageBody } from './errors';
import type { EdulasticSandboxOptions } from './options';
import { EdulasticStore } from './store';
import { edulasticStudentPages } from './student-pages';

export type EdulasticSandbox = SandboxHandle & { app: Express };

/** Starts the Edulastic stand-in: API under /api (like https://app.edulastic.com/api), controls under /api/__sandbox. */
export async function startEdulasticSandbox(options: EdulasticSandboxOptions): Promise<EdulasticSandbox> {
  const tests = options.tests ?? DEFAULT_EDULASTIC_TESTS;
  const badId = tests.find((t) => !isObjectId(t.id));
  if (badId) throw new Error(`Edulastic sandbox test id must be 24 hex characters: ${badId.id}`);

  const store = new EdulasticStore(options.accounts, tests);
  const state = openSandboxState(options.stateFile, store);
  const faults = new SandboxFaults(options.latencyMs ?? 0, (status) => ({
    message: STATUS_CODES[status] ?? 'Injected fault',
  }));
  const server = await serve(options.host ?? '127.0.0.1', options.port ?? 0, () =>
    createApp(store, faults, state.save),
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

function createApp(store: EdulasticStore, faults: SandboxFaults, afterChange: (() => void) | undefined): Express {
  return buildSandboxApp({
    faults,
    afterChange,
    controlPrefix: '/api/__sandbox',
    controlRouters: [sandboxControlRouter(faults, messageBody, () => store.reset()), edulasticControlRouter(store)],
    apiPrefix: '/api',
    api: edulasticApiRouter(store),
    errorBody: messageBody,
    studentPages: edulasticStudentPages(store),
  });
}
