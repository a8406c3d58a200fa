/**
 * WeCom's domain verification files (`WW_verify_<code>.txt`).
 *
 * Before WeCom accepts a host as a trusted domain (网页授权及JS-SDK 可信域名, needed for sign-in
 * inside the WeCom client), it fetches `https://<host>/WW_verify_<code>.txt` and compares the body
 * with the content it showed the administrator. That is the root of the *host*, not of the issuer,
 * so these are answered whatever path the issuer has. Only names of WeCom's shape are accepted
 * (config/schema.ts), so this can never serve anything but the configured strings.
 */
import type Koa from 'koa';
import { VERIFICATION_FILE_NAME } from '../config/schema.js';

/**
 * `files` is read per request (a getter), so a configuration reload can replace the set without
 * rebuilding the app.
 */
export function verificationFiles(files: () => Readonly<Record<string, string>>): Koa.Middleware {
  return async (ctx, next) => {
    const name = ctx.path.startsWith('/') ? ctx.path.slice(1) : '';
    const configured = files();
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || !VERIFICATION_FILE_NAME.test(name) || !Object.hasOwn(configured, name)) {
      return next();
    }
    ctx.status = 200;
    ctx.type = 'text/plain; charset=utf-8';
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.body = configured[name];
  };
}
