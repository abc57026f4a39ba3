import type { RequestHandler } from 'express';
import { bodyOf, isNonEmptyString } from '../body';
import type { MasteryTrackContext } from './context';
import { sendError } from './errors';
import { issueJwt } from './jwt';

/** `POST /authorizer`: API key first (as the gateway checks it), then the integrator email. */
export function authorizerRoute(ctx: MasteryTrackContext): RequestHandler {
  return (req, res) => {
    if (req.get('x-api-key') !== ctx.options.apiKey) {
      return sendError(res, 401, 'Invalid API key', 'UNAUTHORIZED');
    }
    const { email } = bodyOf(req);
    if (!isNonEmptyString(email)) return sendError(res, 400, 'Email is required', 'MISSING_PARAMETER');
    const index = ctx.options.integratorEmails.findIndex((e) => e.toLowerCase() === email.trim().toLowerCase());
    if (index < 0) {
      return sendError(res, 403, 'User not found or does not have API access', 'ACCESS_DENIED');
    }
    // The integrator's numeric user id (assigned_by) is its 1-based position in the configured list.
    res.json({ success: true, jwt: issueJwt({ id: index + 1, email: ctx.options.integratorEmails[index] }) });
  };
}
