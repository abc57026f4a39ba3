import { VendorTransportError } from '@external-tests/common';

/** A test link from a tool is untrusted input: only http(s) links on the tool's own hosts pass. */
export function checkTestUrl(tool: string, raw: string, allowedHosts: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new VendorTransportError(tool, 'bad_response', 'returned a malformed test link');
  }
  if (!['http:', 'https:'].includes(url.protocol) || (allowedHosts.length > 0 && !allowedHosts.includes(url.host))) {
    throw new VendorTransportError(tool, 'bad_response', `returned a test link on an unexpected host (${url.host})`);
  }
  return url.toString();
}
