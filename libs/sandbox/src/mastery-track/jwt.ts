import type { RequestHandler, Response } from 'express';
import jwt from 'jsonwebtoken';
import { createSecretKey, randomBytes } from 'node:crypto';
import { sendUnauthorized } from './errors';

/**
 * The vendor's own token: opaque to clients, so a per-process random secret is enough. A KeyObject, because
 * jsonwebtoken first tries any other secret as a public key (a thrown error per call, most of the check's CPU).
 */
const SECRET = createSecretKey(randomBytes(32));
const TOKEN_TTL_SECONDS = 3600;

export interface Integrator {
  id: number;
  email: string;
}

export function issueJwt(integrator: Integrator): string {
  return jwt.sign({ sub: integrator.email, uid: integrator.id }, SECRET, {
    algorithm: 'HS256',
    expiresIn: TOKEN_TTL_SECONDS,
  });
}

/** `X-Auth-Token: Bearer <jwt>`; anything missing, malformed, forged or expired is the same 401. */
export const requireJwt: RequestHandler = (req, res, next) => {
  const match = /^Bearer (\S+)$/.exec(req.get('x-auth-token') ?? '');
  const integrator = match ? verify(match[1]) : undefined;
  if (!integrator) return sendUnauthorized(res);
  res.locals.integrator = integrator;
  next();
};

function verify(token: string): Integrator | undefined {
  try {
    const payload = jwt.verify(token, SECRET, { algorithms: ['HS256'] });
    if (typeof payload === 'object' && typeof payload.sub === 'string' && typeof payload.uid === 'number') {
      return { id: payload.uid, email: payload.sub };
    }
  } catch {
    // jsonwebtoken throws for bad signatures, malformed tokens and expiry alike.
  }
  return undefined;
}

export function integratorOf(res: Response): Integrator {
  return res.locals.integrator as Integrator;
}
