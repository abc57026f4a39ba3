import { decode } from 'jsonwebtoken';
import { AppError, VendorHttpClient, VendorResponse, VendorTransportError, ErrorCode } from '@external-tests/common';
import { MasteryTrackAccount } from '../provider-options';
import {
  isMtAssignment,
  isMtInventoryTest,
  MtAssignmentSummary,
  MtAssignRequest,
  MtAssignResponse,
  MtAuthorizerResponse,
  MtError,
  MtInventoryResponse,
  MtInventoryTest,
  MtInvalidateRequest,
} from './mastery-track.wire';

const REFRESH_MARGIN_MS = 10 * 60_000; // the guide: refresh after 50 of the 60 minutes

interface CachedToken {
  jwt: string;
  refreshAt: number;
}

export interface MtAssignOutcome {
  assignment: MtAssignmentSummary;
  /** 409 ASSIGNMENT_EXISTS: the student already has this test active (whose it is, the caller decides). */
  existing: boolean;
  /** The 409 followed an attempt of this same call that may have reached MasteryTrack: it may be that attempt's. */
  afterUnknownAttempt?: boolean;
}

/**
 * MasteryTrack HTTP client for one account: authorizer JWT cached until 10 minutes before expiry (refreshed
 * once on a 401), 409 ASSIGNMENT_EXISTS returned with the existing assignment, the tool's error codes mapped to ours.
 */
export class MasteryTrackClient {
  private token?: CachedToken;
  private inflight?: Promise<string>;

  constructor(
    private readonly http: VendorHttpClient,
    private readonly account: MasteryTrackAccount,
  ) {}

  async assign(body: MtAssignRequest, deadlineAt?: number): Promise<MtAssignOutcome> {
    const res = await this.authorized<MtAssignResponse | MtError>({
      method: 'POST',
      path: '/delivery/assignments/assign',
      body,
      deadlineAt,
    });
    if (res.status === 201 || res.status === 200) {
      const assignment = (res.data as MtAssignResponse)?.data?.assignment;
      if (!isMtAssignment(assignment)) throw this.badResponse('assign answered without an assignment');
      return { assignment, existing: false };
    }
    const err = res.data as MtError;
    if (res.status === 409 && err?.code === 'ASSIGNMENT_EXISTS') {
      const existing = err.data?.existing_assignment;
      if (!isMtAssignment(existing)) throw this.badResponse('409 ASSIGNMENT_EXISTS without existing_assignment');
      return { assignment: existing, existing: true, afterUnknownAttempt: res.afterUnknownAttempt === true };
    }
    throw this.rejection(res);
  }

  /**
   * Invalidates one assignment of the student. True when it was active and is invalidated now; false when it was
   * not active any more (MasteryTrack's 404 "No active assignments found").
   */
  async invalidate(body: MtInvalidateRequest, deadlineAt?: number): Promise<boolean> {
    const res = await this.authorized<unknown>({
      method: 'POST',
      path: '/delivery/assignments/invalidate',
      // The guide types assignment_id as an integer; ours travel as its decimal string.
      body: {
        ...body,
        assignment_id: /^\d+$/.test(String(body.assignment_id)) ? Number(body.assignment_id) : body.assignment_id,
      },
      deadlineAt,
    });
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw new AppError(
      ErrorCode.ToolBadResponse,
      `MasteryTrack did not invalidate the assignment: ${this.reason(res)}`,
    );
  }

  /** Supported tests of a subject and grade, in MasteryTrack's order. */
  async inventory(subject: string, gradeRank: number, deadlineAt?: number): Promise<MtInventoryTest[]> {
    const res = await this.authorized<MtInventoryResponse | MtError>({
      method: 'GET',
      path: '/authoring/inventory/search',
      query: { subject, grade: gradeRank },
      deadlineAt,
    });
    if (res.status !== 200) throw this.rejection(res);
    const data = (res.data as MtInventoryResponse)?.data;
    if (!Array.isArray(data) || !data.every(isMtInventoryTest))
      throw this.badResponse('inventory answered without a list of tests');
    return data;
  }

  /** A JWT for this account: cached, refreshed before expiry, one refresh in flight at a time. */
  async jwt(forceRefresh = false): Promise<string> {
    if (!forceRefresh && this.token && Date.now() < this.token.refreshAt) return this.token.jwt;
    this.inflight ??= this.authorize().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async authorize(): Promise<string> {
    const res = await this.http.request<MtAuthorizerResponse | MtError>({
      method: 'POST',
      path: '/authorizer',
      headers: { 'x-api-key': this.account.apiKey, 'Content-Type': 'application/json' },
      body: { email: this.account.email },
      retry: true,
    });
    const jwt = (res.data as MtAuthorizerResponse)?.jwt;
    if (res.status !== 200 || typeof jwt !== 'string') {
      // Our API key or integrator email is wrong: a gateway problem, not the caller's.
      throw new AppError(ErrorCode.ToolBadResponse, `MasteryTrack refused our credentials: ${this.reason(res)}`);
    }
    const claims = decode(jwt) as { exp?: number } | null;
    const expiresAt = claims?.exp ? claims.exp * 1000 : Date.now() + 3_600_000;
    this.token = { jwt, refreshAt: Math.max(Date.now(), expiresAt - REFRESH_MARGIN_MS) };
    return jwt;
  }

  private async authorized<T>(req: {
    method: 'GET' | 'POST';
    path: string;
    body?: unknown;
    query?: Record<string, string | number>;
    deadlineAt?: number;
  }): Promise<VendorResponse<T>> {
    const send = async (jwt: string) =>
      this.http.request<T>(
        // Object.assign rather than a leading spread: see libs/oneroster/src/mappers/common.ts.
        Object.assign({}, req, {
          headers: { 'X-Auth-Token': `Bearer ${jwt}`, 'Content-Type': 'application/json' },
          // Assign is safe to repeat (a repeat answers 409 with the assignment it made), and so are reads.
          retry: true,
        }),
      );
    const res = await send(await this.jwt());
    if (res.status !== 401) return res;
    this.token = undefined;
    const retried = await send(await this.jwt(true));
    if (retried.status === 401) throw new AppError(ErrorCode.ToolBadResponse, 'MasteryTrack rejected a fresh token');
    return retried;
  }

  private rejection(res: VendorResponse<unknown>): AppError {
    const reason = this.reason(res);
    if ([400, 404, 422].includes(res.status)) {
      return new AppError(ErrorCode.ToolRefused, `MasteryTrack rejected the assignment: ${reason}`, {
        details: [
          {
            field: 'toolProvider',
            value: 'mastery-track',
            vendorCode: (res.data as MtError)?.code ?? '',
            vendorMessage: reason,
          },
        ],
      });
    }
    return new AppError(ErrorCode.ToolBadResponse, `MasteryTrack answered HTTP ${res.status}: ${reason}`);
  }

  private reason(res: VendorResponse<unknown>): string {
    const err = res.data as Partial<MtError> | undefined;
    return [err?.code, err?.error].filter(Boolean).join(' ') || `HTTP ${res.status}`;
  }

  private badResponse(message: string): VendorTransportError {
    return new VendorTransportError('MasteryTrack', 'bad_response', message);
  }
}
