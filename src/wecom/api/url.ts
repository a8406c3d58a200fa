/**
 * Joins a configured base URL and a WeCom path.
 *
 * Bases may carry a path of their own (the simulator lives at e.g. `http://127.0.0.1:3000/wecom-simulator`,
 * a corporate proxy at `https://proxy/qyapi`), so `new URL('/cgi-bin/gettoken', base)` would silently
 * drop it. A query or fragment on the base is discarded: ours are built by the caller.
 */
export function joinUrl(base: string, path: string): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  url.search = '';
  url.hash = '';
  return url;
}
