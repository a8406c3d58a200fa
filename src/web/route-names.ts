/**
 * The route template a request path belongs to, for the access log and the request metrics.
 *
 * A template, never the path: paths carry interaction uids and made-up segments, which would leak
 * per-request values into metrics labels and let anonymous callers grow them without bound. The
 * table lists oidc-provider's endpoints (at their default paths, which provider.ts keeps), our
 * interaction routes, assets and the operational endpoints; anything else is `unmatched`.
 */
import { VERIFICATION_FILE_NAME } from '../config/schema.js';

/** Segments starting with ":" match any one segment; a final "*" matches the rest. */
const TEMPLATES = [
  '/.well-known/openid-configuration',
  '/jwks',
  '/auth',
  '/auth/:uid',
  '/token',
  '/token/introspection',
  '/token/revocation',
  '/me',
  '/session/end',
  '/session/end/confirm',
  '/session/end/success',
  '/interaction/:uid',
  '/interaction/:uid/wecom/:connection',
  '/interaction/:uid/wecom/:connection/callback',
  '/interaction/:uid/bind/:connection',
  '/interaction/:uid/bind-new',
  '/interaction/:uid/consent',
  '/interaction/:uid/abort',
  '/assets/:file',
  '/wecom-simulator/*',
].map((template) => ({ template, segments: template.split('/').slice(1) }));

/** Answered at the host's root (and under the issuer's path) by the operational endpoints. */
const ROOT_TEMPLATES = new Set(['/healthz', '/readyz', '/metrics']);

export const UNMATCHED_ROUTE = 'unmatched';

/** The template for `url` (path and query; the query is ignored), relative to the issuer's path. */
export function routeOf(url: string, basePath: string): string {
  const path = url.split('?', 1)[0] ?? '';
  if (ROOT_TEMPLATES.has(path)) return path;
  if (VERIFICATION_FILE_NAME.test(path.slice(1))) return '/WW_verify_*.txt';
  if (basePath && !path.startsWith(`${basePath}/`)) return UNMATCHED_ROUTE;
  const relative = path.slice(basePath.length);
  if (ROOT_TEMPLATES.has(relative)) return relative;
  const segments = relative.split('/').slice(1);
  for (const candidate of TEMPLATES) {
    if (matches(candidate.segments, segments)) return candidate.template;
  }
  return UNMATCHED_ROUTE;
}

function matches(template: string[], segments: string[]): boolean {
  for (let index = 0; index < template.length; index++) {
    const expected = template[index]!;
    if (expected === '*') return index < segments.length || index === segments.length;
    const actual = segments[index];
    if (actual === undefined || (expected.startsWith(':') ? actual === '' : actual !== expected)) return false;
  }
  return template.length === segments.length;
}
