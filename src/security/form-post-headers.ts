/**
 * oidc-provider answers `response_mode=form_post` with a small page of its own that auto-submits a
 * form to the client's redirect_uri. It brings no security headers, but when a CSP with a
 * `script-src` directive is already set it adds its inline script's hash to it. So the
 * authorization endpoint's answers start with a strict CSP whose script-src is empty; a form_post
 * page leaves with exactly its own script allowed, the form allowed to go only to the client's
 * origin, and the headers every page of ours has (nosniff, no referrer, no framing, no caching).
 */
import type Koa from 'koa';

const PLACEHOLDER = "default-src 'none'; script-src";

export function formPostHeaders(basePath: string): Koa.Middleware {
  const authPath = `${basePath}/auth`;
  return async (ctx, next) => {
    if (ctx.path !== authPath && !ctx.path.startsWith(`${authPath}/`)) return next();
    ctx.set('Content-Security-Policy', PLACEHOLDER);
    await next();
    // oidc-provider rewrites the header without spaces after ';' when it adds a hash.
    const csp = ctx.response.get('Content-Security-Policy').replace(/\s*;\s*/g, '; ');
    // Still ours (with any hashes oidc-provider added)? Otherwise one of our pages set its own.
    if (!/^default-src 'none'; script-src(?: 'sha256-[A-Za-z0-9+/=]+')*$/.test(csp.trim())) return;
    const hashes = csp.slice(PLACEHOLDER.length).trim().split(/\s+/).filter(Boolean);
    // No inline script hashed: no page of the provider's (a redirect, JSON): the header goes.
    if (!hashes.length || !ctx.response.is('html')) {
      ctx.remove('Content-Security-Policy');
      return;
    }
    ctx.set(
      'Content-Security-Policy',
      [
        "default-src 'none'",
        `script-src ${hashes.join(' ')}`,
        `form-action ${redirectOrigin(ctx) ?? "'none'"}`,
        "frame-ancestors 'none'",
        "base-uri 'none'",
      ].join('; '),
    );
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cache-Control', 'no-store');
  };
}

/** The origin the form may post to: the client's redirect_uri, as oidc-provider validated it. */
function redirectOrigin(ctx: Koa.Context): string | undefined {
  const oidc = (ctx as { oidc?: { params?: { redirect_uri?: unknown } } }).oidc;
  const uri = oidc?.params?.redirect_uri;
  if (typeof uri !== 'string' || !URL.canParse(uri)) return undefined;
  const { origin } = new URL(uri);
  return origin === 'null' ? undefined : origin;
}
