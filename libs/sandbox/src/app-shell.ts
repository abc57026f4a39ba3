import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import type { SandboxFaults } from './faults';

export type ErrorBody = (status: number, message: string) => unknown;

export interface SandboxAppParts {
  faults: SandboxFaults;
  /** Control routes live here; they get no latency, no faults and are not recorded. */
  controlPrefix: string;
  controlRouters: Router[];
  /** The vendor API, mounted at `apiPrefix` ('/' for MasteryTrack, '/api' for Edulastic). */
  apiPrefix: string;
  api: Router;
  errorBody: ErrorBody;
  /** The student's pages (HTML forms); people, not the service, call them, so no faults and no call log. */
  studentPages: Router;
  /** Called after every request that may have changed state (anything but GET/HEAD/OPTIONS), e.g. to save it. */
  afterChange?: () => void;
}

const READ_ONLY = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The middleware order both sandboxes share: change hook → student pages → faults → JSON (1 MB) → control → API → 404 → errors. */
export function buildSandboxApp(parts: SandboxAppParts): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const { afterChange } = parts;
  if (afterChange) {
    app.use((req, res, next) => {
      if (!READ_ONLY.has(req.method)) {
        // 'finish' comes before the client can read the answer; 'close' also fires when a fault destroyed the socket.
        let done = false;
        const once = () => {
          if (!done) afterChange();
          done = true;
        };
        res.once('finish', once).once('close', once);
      }
      next();
    });
  }
  app.use(parts.studentPages);
  app.use(parts.faults.middleware(parts.controlPrefix));
  app.use(express.json({ limit: '1mb' }));
  app.use(parts.controlPrefix, ...parts.controlRouters);
  app.use(parts.apiPrefix, parts.api);
  app.use((req, res) => {
    res.status(404).json(parts.errorBody(404, `Route not found: ${req.method} ${req.path}`));
  });
  app.use(errorHandler(parts.errorBody));
  return app;
}

function errorHandler(errorBody: ErrorBody): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) return next(err);
    const { status, message } = describeError(err);
    res.status(status).json(errorBody(status, message));
  };
}

/** Body-parser errors carry a client status and a `type`; anything else is our own 500. */
function describeError(err: unknown): { status: number; message: string } {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { status?: unknown; type?: unknown };
  const status = typeof e.status === 'number' && e.status >= 400 && e.status < 500 ? e.status : 500;
  if (e.type === 'entity.too.large') return { status, message: 'Request body too large (limit 1 MB)' };
  if (e.type === 'entity.parse.failed') return { status, message: 'Malformed JSON body' };
  return status === 500 ? { status, message: 'Internal server error' } : { status, message: 'Bad request' };
}
