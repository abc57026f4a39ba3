/**
 * BENCH_SANDBOXES=process: both tool sandboxes in a child process of their own, so their CPU (JWT checks,
 * express, in-memory stores) is not charged to the app's event loop. run.ts reaches them over HTTP only.
 */
import './paths';
import { startSandboxes } from '@external-tests/sandbox';
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
