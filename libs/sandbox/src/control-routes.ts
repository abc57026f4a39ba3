import { Router } from 'express';
import { bodyOf } from './body';
import { parseFaultSpec, type SandboxFaults } from './faults';

/**
 * Control endpoints both sandboxes share: latency, faults, call log, reset.
 * Success bodies are the same plain shapes for both tools; errors use the tool's own format.
 */
export function sandboxControlRouter(
  faults: SandboxFaults,
  errorBody: (status: number, message: string) => unknown,
  resetState: () => void,
): Router {
  const router = Router();

  router.post('/latency', (req, res) => {
    const { ms } = bodyOf(req);
    if (typeof ms !== 'number' || !(ms >= 0)) {
      res.status(400).json(errorBody(400, 'ms must be a non-negative number'));
      return;
    }
    faults.latencyMs = ms;
    res.json({ latencyMs: ms });
  });

  router.post('/faults', (req, res) => {
    const spec = parseFaultSpec(req.body);
    if (typeof spec === 'string') {
      res.status(400).json(errorBody(400, spec));
      return;
    }
    faults.queue(spec);
    res.status(201).json({ fault: spec });
  });

  router.delete('/faults', (_req, res) => {
    res.json({ cleared: faults.clearFaults() });
  });

  router.get('/calls', (_req, res) => {
    res.json({ calls: faults.calls });
  });

  router.post('/reset', (_req, res) => {
    resetState();
    faults.reset();
    res.json({ reset: true });
  });

  return router;
}
