import type { MasteryTrackContext } from './context';
import type { MasteryTrackWriteBackOptions } from './options';
import type { MasteryTrackAssignment } from './store';
import { testUrl } from './views';

export interface Completion {
  score: number;
  totalQuestions: number;
  correctQuestions: number;
  studentSourcedId: string;
}

export interface AssessmentResultPayload {
  assessmentResult: {
    sourcedId: string;
    status: 'active';
    assessmentLineItem: { sourcedId: string };
    student: { sourcedId: string };
    score: number;
    scoreDate: string;
    scoreStatus: string;
    metadata: Record<string, unknown>;
  };
}

/** What the control call reports back; `stage: 'token'` when the token request already failed. */
export interface WriteBackOutcome {
  status: number;
  body: unknown;
  stage?: 'token';
}

const TIMEOUT_MS = 10_000;

/** The OneRoster AssessmentResult MasteryTrack writes when a test ends (contract page, "Write-back"). */
export function assessmentResultPayload(
  ctx: MasteryTrackContext,
  a: MasteryTrackAssignment & { lineItemSourcedId: string; resultSourcedId: string },
  completion: Completion,
): AssessmentResultPayload {
  return {
    assessmentResult: {
      sourcedId: a.resultSourcedId,
      status: 'active',
      assessmentLineItem: { sourcedId: a.lineItemSourcedId },
      student: { sourcedId: completion.studentSourcedId },
      score: completion.score,
      scoreDate: new Date().toISOString(),
      scoreStatus: 'fully graded',
      metadata: {
        masteryTrackProcessed: true,
        totalQuestions: completion.totalQuestions,
        correctQuestions: completion.correctQuestions,
        assignmentId: a.id,
        testName: a.test.name,
        testLink: testUrl(ctx, a),
      },
    },
  };
}

/** Client-credentials token (HTTP Basic client auth), then `PUT …/assessmentResults/{sourcedId}`. */
export async function deliverAssessmentResult(
  config: MasteryTrackWriteBackOptions,
  payload: AssessmentResultPayload,
): Promise<WriteBackOutcome> {
  const token = await platformToken(config, config.scope);
  if (typeof token !== 'string') return token;
  const sourcedId = encodeURIComponent(payload.assessmentResult.sourcedId);
  return send(`${oneRosterUrl(config)}/ims/oneroster/gradebook/v1p2/assessmentResults/${sourcedId}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
}

/** A client-credentials token from the platform's identity provider, or the failed token call (`stage: 'token'`). */
export async function platformToken(
  config: MasteryTrackWriteBackOptions,
  scope: string | undefined,
): Promise<string | WriteBackOutcome> {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (scope) form.set('scope', scope);
  const basic = Buffer.from(`${config.clientId}:${config.clientSecret}`).toString('base64');
  const token = await send(config.tokenUrl, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  const accessToken = (token.body as { access_token?: unknown } | null)?.access_token;
  return token.status === 200 && typeof accessToken === 'string' ? accessToken : { ...token, stage: 'token' };
}

export function oneRosterUrl(config: MasteryTrackWriteBackOptions): string {
  return config.oneRosterBaseUrl.replace(/\/+$/, '');
}

/** Never throws: an unreachable peer is reported as status 0 so the control call can still answer 200. */
export async function send(url: string, init: RequestInit): Promise<WriteBackOutcome> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    const text = await response.text();
    return { status: response.status, body: parseBody(text) };
  } catch (err) {
    return { status: 0, body: { error: err instanceof Error ? err.message : String(err) } };
  }
}

function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
