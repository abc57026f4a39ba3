/** A tool class as the ledger holds it (tool_classes). */
export interface ToolClassRecord {
  state: 'creating' | 'created';
  ref: string;
  externalId: string | null;
  classCode: string | null;
  /** Seconds left on the creating request's lease; > 0 while it works. */
  leaseSeconds: number | null;
}

/** A student's tool login as the ledger holds it (tool_logins). */
export interface ToolLoginRecord {
  state: 'pending' | 'ready';
  externalUserId: string | null;
  /** Sealed `{email, password}`: the password set, or about to be set, at the tool. */
  credentialsSealed: string;
  leaseSeconds: number | null;
}

export const CLASS_COLUMNS = `tc.state, tc.ref, tc.external_id, tc.class_code, extract(epoch from (tc.lease_until - now()))::float8 lease_seconds`;
export const LOGIN_COLUMNS = `tl.state, tl.external_user_id, tl.credentials_sealed, extract(epoch from (tl.lease_until - now()))::float8 lease_seconds`;

export function toClassRecord(r: Record<string, unknown>): ToolClassRecord {
  return {
    state: r.state as ToolClassRecord['state'],
    ref: r.ref as string,
    externalId: (r.external_id as string | null) ?? null,
    classCode: (r.class_code as string | null) ?? null,
    leaseSeconds: (r.lease_seconds as number | null) ?? null,
  };
}

export function toLoginRecord(r: Record<string, unknown>): ToolLoginRecord {
  return {
    state: r.state as ToolLoginRecord['state'],
    externalUserId: (r.external_user_id as string | null) ?? null,
    credentialsSealed: r.credentials_sealed as string,
    leaseSeconds: (r.lease_seconds as number | null) ?? null,
  };
}
