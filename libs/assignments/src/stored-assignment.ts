import { CredentialCipher } from '@app/common';
import { TestCredentialsDto } from './dto/external-test-assignment.dto';

export interface StoredAssignmentFields {
  credentials?: TestCredentialsDto;
  assignmentId?: string;
  classId?: string;
  testUrl?: string;
  testId?: string;
}

/**
 * The tool fields both makeExternalTestAssignment and importExternalTestAssignmentResults answer with, read
 * from a result row's metadata and its sealed credentials (absent fields are left out, as the contract allows).
 */
export function storedAssignmentFields(
  meta: Record<string, unknown>,
  sealed: { cipher: CredentialCipher; value: string | null; resultSourcedId: string } | { credentials?: TestCredentialsDto },
): StoredAssignmentFields {
  const credentials =
    'cipher' in sealed
      ? sealed.value
        ? sealed.cipher.openJson<TestCredentialsDto>(sealed.value, sealed.resultSourcedId)
        : undefined
      : sealed.credentials;
  const fields: StoredAssignmentFields = credentials ? { credentials } : {};
  for (const key of ['assignmentId', 'classId', 'testUrl', 'testId'] as const) {
    if (typeof meta[key] === 'string') fields[key] = meta[key] as string;
  }
  return fields;
}
