/**
 * RFC 9110 §7.2's Host: a uri-host (a registered name of unreserved, percent-encoded and sub-delim characters, an
 * IPv4 address, or a bracketed IP literal) and an optional port. Addresses written into answers (OneRoster hrefs)
 * are built from it: anything else (a path, a quote, a space) would land in every href.
 */
const HOST = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+(?::[0-9]{0,5})?$|^\[[0-9A-Fa-f:.]+\](?::[0-9]{0,5})?$/;

/** Whether `value` is a Host header's value (host and optional port), nothing more. */
export const isHost = (value: string): boolean => HOST.test(value);
