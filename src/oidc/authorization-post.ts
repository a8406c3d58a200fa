/**
 * OIDC Core 3.1.2.1: the authorization endpoint MUST accept POST as well as GET. oidc-provider only
 * takes POST when its session cookies are SameSite=None (which needs https and weakens CSRF
 * protection for every other request), so a form-encoded POST to the authorization endpoint is
 * answered with a 303 to the same request as a GET, which the provider then handles as usual.
 */
import type Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';

export function authorizationPost(basePath: string): Koa.Middleware {
  const path = `${basePath}/auth`;
  const parse = bodyParser({ enableTypes: ['form'], formLimit: '64kb' });
  return async (ctx, next) => {
    if (ctx.method !== 'POST' || ctx.path !== path || !ctx.is('application/x-www-form-urlencoded')) return next();
    await parse(ctx, async () => undefined);
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries((ctx.request.body ?? {}) as Record<string, unknown>)) {
      for (const item of Array.isArray(value) ? value : [value]) params.append(name, String(item));
    }
    ctx.status = 303;
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(`${path}?${params.toString()}`);
  };
}
