/**
 * Response helpers: security headers for the simulator's pages, redirects, and API JSON.
 *
 * The pages need no script and no external resource, so the CSP allows none. There is no
 * `form-action`: a "scan" form posts to the simulator, which redirects to the provider's callback,
 * which redirects on to whichever app started the sign-in, and Chrome checks form-action against
 * every hop of that chain. The simulator cannot know the apps' origins (real WeCom navigates by
 * script, not by a form post, so it never meets this).
 */
import type { Context } from 'koa';

export function pageCsp(trustedDomain: string): string {
  const trusted = `http://${trustedDomain} https://${trustedDomain}`;
  return [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    "img-src 'self' data:",
    // WeCom's JS SDK shows the login page in an iframe of the relying party's page.
    `frame-ancestors 'self' ${trusted}`,
    "base-uri 'none'",
  ].join('; ');
}

/** The embedded panel's page also runs the simulator's own panel script (the SDK protocol). */
export function panelCsp(pageCsp: string): string {
  return `${pageCsp}; script-src 'self'`;
}

function noStore(ctx: Context): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.set('X-Content-Type-Options', 'nosniff');
}

export function sendHtml(ctx: Context, html: string, csp: string, status = 200): void {
  noStore(ctx);
  ctx.set('Content-Security-Policy', csp);
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = html;
}

export function sendSvg(ctx: Context, svg: string): void {
  ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Cache-Control', 'public, max-age=3600');
  ctx.type = 'image/svg+xml';
  ctx.body = svg;
}

/** A plain redirect: the Location header only, with a text body (no HTML page to label). */
export function redirectTo(ctx: Context, url: string, status: 302 | 303 = 302): void {
  noStore(ctx);
  ctx.status = status;
  ctx.set('Location', url);
  ctx.type = 'text/plain; charset=utf-8';
  ctx.body = `Redirecting to ${url}`;
}

/** WeCom answers every API call with HTTP 200 and a JSON body carrying `errcode`. */
export function sendApi(ctx: Context, body: Record<string, unknown>): void {
  noStore(ctx);
  ctx.status = 200;
  ctx.type = 'application/json; charset=utf-8';
  ctx.body = body;
}

/** The caller's IP as WeCom would print it in `from ip` (IPv4-mapped IPv6 shown as IPv4). */
export function callerIp(ctx: Context): string {
  return ctx.ip.startsWith('::ffff:') ? ctx.ip.slice('::ffff:'.length) : ctx.ip;
}
