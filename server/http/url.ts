/**
 * The path of a request target, or null when it is not one we can serve. `request.url` is
 * whatever the client sent: `new URL` can throw on an absolute-form target such as `http://[`,
 * and `decodeURIComponent` throws a URIError on `%E0%A4%A`. Both would otherwise escape a
 * synchronous handler and end the process.
 */
export function requestPathname(url: string | undefined, options: { decode?: boolean } = {}): string | null {
  let pathname: string;
  try {
    pathname = new URL(url ?? '/', 'http://localhost').pathname;
  } catch {
    return null;
  }
  if (!options.decode) return pathname;
  try {
    const decoded = decodeURIComponent(pathname);
    return decoded.includes('\0') ? null : decoded;
  } catch {
    return null;
  }
}

/** The query of a request target (empty when it does not parse). */
export function requestSearchParams(url: string | undefined): URLSearchParams {
  try {
    return new URL(url ?? '/', 'http://localhost').searchParams;
  } catch {
    return new URLSearchParams();
  }
}
