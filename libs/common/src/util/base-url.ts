/** A base URL as paths are appended to it: without trailing slashes ('https://x.example/eta/' → '…/eta'). */
export const withoutTrailingSlash = (url: string): string => url.replace(/\/+$/, '');
