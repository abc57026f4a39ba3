/**
 * BENCH_SANDBOXES=process: both tool sandboxes in a child process of their own, so their CPU (JWT checks,
 * express, in-memory stores) is not charged to the app's event loop. run.ts reaches them over HTTP only.
 */
// A forked worker: no path aliases are registered here.
import { startSandboxes } from '../libs/sandbox/src';
import type { SandboxWorkerInit } from './load-types';

process.once('message', (init: SandboxWorkerInit) => {
  startSandboxes({
    masteryTrack: { apiKey: init.mtApiKey, integratorEmails: [init.mtEmail] },
    edulastic: { accounts: [{ username: init.eduUser, password: init.eduPassword }] },
  }).then(
    (sandboxes) => {
      process.send!({ masteryTrack: sandboxes.masteryTrack.url, edulastic: sandboxes.edulastic.url });
      process.once('disconnect', () => {
        void sandboxes.close().finally(() => process.exit(0));
      });
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
});
