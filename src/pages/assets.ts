/**
 * Static files our pages load, all from our own origin (never a CDN): the stylesheet, the login
 * panel script, and WeCom's JS SDK from its npm package. Read once at start; served with a weak
 * cache lifetime because their names carry no version.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type Koa from 'koa';

interface Asset {
  type: string;
  body: string;
}

export function assetsMiddleware(basePath: string): Koa.Middleware {
  const require = createRequire(import.meta.url);
  const views = (name: string) => readFileSync(new URL(`../views/${name}`, import.meta.url), 'utf8');
  const assets = new Map<string, Asset>([
    [`${basePath}/assets/style.css`, { type: 'text/css; charset=utf-8', body: views('style.css') }],
    [`${basePath}/assets/login-panel.js`, { type: 'text/javascript; charset=utf-8', body: views('login-panel.js') }],
    [
      `${basePath}/assets/wecom-jssdk.js`,
      {
        type: 'text/javascript; charset=utf-8',
        body: readFileSync(require.resolve('@wecom/jssdk/dist/wecom.global.prod.js'), 'utf8'),
      },
    ],
  ]);
  return async (ctx, next) => {
    const asset = ctx.method === 'GET' || ctx.method === 'HEAD' ? assets.get(ctx.path) : undefined;
    if (!asset) return next();
    ctx.type = asset.type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.body = asset.body;
  };
}
