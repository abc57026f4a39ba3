import { Router } from 'express';
import { assignRoute } from './assign-route';
import { authorizerRoute } from './authorizer-route';
import type { MasteryTrackContext } from './context';
import { inventoryRoute } from './inventory-route';
import { invalidateRoute } from './invalidate-route';
import { requireJwt } from './jwt';

/** The four documented MasteryTrack endpoints, at the server root. */
export function masteryTrackApiRouter(ctx: MasteryTrackContext): Router {
  const router = Router();
  router.post('/authorizer', authorizerRoute(ctx));
  router.get('/authoring/inventory/search', requireJwt, inventoryRoute(ctx));
  router.post('/delivery/assignments/assign', requireJwt, assignRoute(ctx));
  router.post('/delivery/assignments/invalidate', requireJwt, invalidateRoute(ctx));
  return router;
}
