import { hasAnyScope, Principal, Scope } from '@external-tests/auth';
import { CredentialCipher } from '@external-tests/common';
import type { AttemptRecord } from '@external-tests/persistence';
import { TestCredentialsDto } from './dto/external-test-assignment.dto';

export interface AssignmentFields {
  credentials?: TestCredentialsDto;
  assignmentId?: string;
  classId?: string;
  testUrl?: string;
  testId?: string;
}

/**
 * The tool fields makeExternalTestAssignment and importExternalTestAssignmentResults answer with, from the
 * ledger: the assignment's ids and link, and the student's login on that tool account (absent fields are left
 * out, as the contract allows). `withCredentials: false` leaves the password out (read-only callers).
 */
export function assignmentFields(
  a: AttemptRecord,
  cipher: CredentialCipher,
  studentSourcedId: string,
  withCredentials = true,
): AssignmentFields {
  if (a.state !== 'assigned' || !a.externalId) return {};
  const credentials =
    withCredentials && a.loginSealed
      ? cipher.openJson<TestCredentialsDto>(a.loginSealed, `${a.tool}:${studentSourcedId}`)
      : undefined;
  // Built key by key: on Node 20 a literal that starts by spreading a non-empty object builds a new hidden class per
  // key added after it (BENCHMARKS.md, session 23).
  const fields: AssignmentFields = {};
  if (credentials) fields.credentials = { email: credentials.email, password: credentials.password };
  fields.assignmentId = a.externalId;
  fields.classId = a.classId ?? '';
  if (a.testUrl) fields.testUrl = a.testUrl;
  if (a.testId) fields.testId = a.testId;
  return fields;
}

/** Read-only callers never see a password; in-process callers (no principal) and create/put callers do. */
export function mayReadCredentials(principal: Principal | undefined): boolean {
  return principal === undefined || hasAnyScope(principal, [Scope.PowerPathCreatePut]);
}
