/**
 * With an https issuer every cookie is `Secure`, whatever the hop that brought the request: a
 * request that reached us as plain http came through a TLS-terminating proxy that did not say so
 * (or `trustProxy` is off), and the people behind it are on https. Only `secure` is changed, not
 * the protocol: URLs written for a direct request (a health check on a replica's own address) stay
 * what they were.
 */
import type Koa from 'koa';

export function secureCookiesForHttpsIssuer(app: Koa, issuer: string): void {
  if (new URL(issuer).protocol !== 'https:') return;
  // Koa's cookie jar takes `secure` from request.secure, and oidc-provider marks its cookies Secure
  // when ctx.secure (which reads request.secure) is true.
  Object.defineProperty(app.request, 'secure', {
    configurable: true,
    get: () => true,
  });
}
