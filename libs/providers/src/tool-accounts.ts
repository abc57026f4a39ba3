import { AppError, ErrorCode } from '@external-tests/common';
import { DEFAULT_ACCOUNT } from './provider-options';

/**
 * Picks the account named by applicationName (absent = default); unknown names are the caller's error. Own
 * properties only: `__proto__`, `constructor` or `toString` name no account.
 */
export function resolveAccountName(
  tool: string,
  accounts: Record<string, unknown> | undefined,
  applicationName?: string,
): string {
  const name = applicationName ?? DEFAULT_ACCOUNT;
  if (!accounts || Object.keys(accounts).length === 0) {
    throw new AppError(ErrorCode.ToolUnavailable, `No ${tool} account is configured on this service`, {
      retryAfterSeconds: 60,
    });
  }
  if (!Object.hasOwn(accounts, name)) {
    throw new AppError(
      ErrorCode.UnknownApplication,
      applicationName
        ? `Unknown applicationName '${applicationName}' for ${tool}`
        : `No default ${tool} account is configured; pass applicationName`,
      { details: [{ field: 'applicationName', value: applicationName ?? '' }] },
    );
  }
  return name;
}

export function accountOf<T>(accounts: Record<string, T> | undefined, name: string): T {
  const account = accounts && Object.hasOwn(accounts, name) ? accounts[name] : undefined;
  if (!account) throw new AppError(ErrorCode.Internal, `Account '${name}' vanished from configuration`);
  return account;
}
