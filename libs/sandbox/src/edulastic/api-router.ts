import { Router } from 'express';
import { assignmentRouter } from './assignment-routes';
import { loginRoute } from './auth';
import { classRouter } from './class-routes';
import type { EdulasticStore } from './store';

/** The Edulastic web-API subset of the contract page, mounted under /api. */
export function edulasticApiRouter(store: EdulasticStore): Router {
  const router = Router();
  router.post('/auth/login', loginRoute(store));
  router.use(classRouter(store), assignmentRouter(store));
  return router;
}
