/**
 * Static files our pages load, all from our own origin (never a CDN): the stylesheet, the page
 * scripts, WeCom's JS SDK from its npm package (or, with the simulator, its stand-in), and the
 * branding files (logo, favicon, theme). Read once at start; served with a weak cache lifetime
 * (branding URLs carry a content hash; the others' names carry no version).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type Koa from 'koa';

interface Asset {
  type: string;
  body: string | Buffer;
}

export interface AssetOptions {
  /** Extra files by path (branding: logo, favicon, theme). */
  files?: ReadonlyMap<string, Asset>;
  /** Replaces WeCom's SDK (the simulator's stand-in, which shows its panel instead of WeCom's). */
  wecomSdk?: string;
}

/** WeCom's JS SDK as published (npm @wecom/jssdk), the script the login panel runs on. */
export function wecomSdkSource(): string {
  const require = createRequire(import.meta.url);
  return readFileSync(require.resolve('@wecom/jssdk/dist/wecom.global.prod.js'), 'utf8');
}

const JS = 'text/javascript; charset=utf-8';

export function assetsMiddleware(basePath: string, options: AssetOptions = {}): Koa.Middleware {
  const views = (name: string) => readFileSync(new URL(`../views/${name}`, import.meta.url), 'utf8');
  const assets = new Map<string, Asset>([
    [`${basePath}/assets/style.css`, { type: 'text/css; charset=utf-8', body: views('style.css') }],
    [`${basePath}/assets/login-panel.js`, { type: JS, body: views('login-panel.js') }],
    [`${basePath}/assets/copy-link.js`, { type: JS, body: views('copy-link.js') }],
    [`${basePath}/assets/wecom-jssdk.js`, { type: JS, body: options.wecomSdk ?? wecomSdkSource() }],
    ...(options.files ?? new Map<string, Asset>()),
  ]);
  return async (ctx, next) => {
    const asset = ctx.method === 'GET' || ctx.method === 'HEAD' ? assets.get(ctx.path) : undefined;
    if (!asset) return next();
    ctx.type = asset.type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.set('X-Content-Type-Options', 'nosniff');
    // An SVG opened on its own is a document: it may not run script or load anything.
    if (asset.type.startsWith('image/svg')) ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    ctx.body = asset.body;
  };
}
