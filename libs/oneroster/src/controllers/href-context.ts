import type { Request } from 'express';
import type { HrefContext } from '../mappers/common';

/** Absolute hrefs point back at the host the caller used. */
export function hrefContext(req: Request): HrefContext {
  return { baseUrl: `${req.protocol}://${req.get('host') ?? 'localhost'}` };
}
