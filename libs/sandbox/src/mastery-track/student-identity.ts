import { isNonEmptyString, isPlainObject } from '../body';
import type { MasteryTrackWriteBackOptions } from './options';
import { oneRosterUrl, platformToken, send } from './write-back';

/**
 * Students sign in to MasteryTrack with their platform identity, and the write-back must name them by sourcedId.
 * The sandbox signs students in by email only, so it asks the platform's gradebook whose result it is about to
 * write (the result the assign call named). Undefined when the platform cannot say.
 */
export async function studentSourcedIdOf(
  config: MasteryTrackWriteBackOptions,
  resultSourcedId: string,
): Promise<string | undefined> {
  const token = await platformToken(config, config.readScope);
  if (typeof token !== 'string') return undefined;
  const { status, body } = await send(
    `${oneRosterUrl(config)}/ims/oneroster/gradebook/v1p2/assessmentResults/${encodeURIComponent(resultSourcedId)}`,
    { headers: { authorization: `Bearer ${token}` } },
  );
  const result = status === 200 && isPlainObject(body) ? body.assessmentResult : undefined;
  const student = isPlainObject(result) ? result.student : undefined;
  const sourcedId = isPlainObject(student) ? student.sourcedId : undefined;
  return isNonEmptyString(sourcedId) ? sourcedId : undefined;
}
