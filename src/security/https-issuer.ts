/**
 * With an https issuer, every request is treated as https, whatever the socket says: the issuer is
 * the only origin people and clients are meant to use, so a request that reached us as plain http
 * came through a TLS-terminating proxy that did not say so (or `trustProxy` is off). Treating it as
 * https makes Koa and oidc-provider mark every cookie `Secure` and write https URLs, instead of
 * handing out cookies a network attacker could read on a downgraded connection.
 */
import type Koa from 'koa';

export function treatRequestsAsHttps(app: Koa, issuer: string): void {
  if (new URL(issuer).protocol !== 'https:') return;
  // Koa derives ctx.secure, ctx.origin and ctx.href from request.protocol, and the cookie jar's
  // `secure` from ctx.secure; one getter on this app's request prototype covers all of them.
  Object.defineProperty(app.request, 'protocol', {
    configurable: true,
    get: () => 'https',
  });
}
