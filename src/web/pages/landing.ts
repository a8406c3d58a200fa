/**
 * The issuer root and everything nobody else answered, as pages a person can read: the root says
 * what this service is and where to go (to the app); a missing page says so under its own heading
 * and links to the root. Machines asking for something other than HTML get Koa's plain 404.
 */
import type Koa from 'koa';
import { translator } from '../messages/index.js';
import { langDecision } from './language.js';
import type { PageRenderer } from './render.js';

export function landingPage(pages: PageRenderer): Koa.Middleware {
  const root = pages.homePath;
  return async (ctx, next) => {
    const atRoot = ctx.path === root || ctx.path === root.replace(/\/$/, '');
    if (!atRoot || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    const { lang } = langDecision(ctx, ctx.query.ui_locales);
    const t = translator(lang);
    pages.send(ctx, 'message', { lang, title: t('home.title'), heading: t('home.title'), message: t('home.message', { host: ctx.host }) });
  };
}

/** Anything nobody answered gets a readable page, not Koa's bare "Not Found". */
export function notFoundPage(pages: PageRenderer): Koa.Middleware {
  return async (ctx, next) => {
    await next();
    if (ctx.status !== 404 || ctx.body !== undefined || ctx.respond === false) return;
    if (!ctx.accepts('html')) return;
    const { lang } = langDecision(ctx, undefined);
    const t = translator(lang);
    pages.send(
      ctx,
      'message',
      { lang, title: t('not_found.title'), heading: t('not_found.title'), message: t('not_found.message'), homeUrl: pages.homePath },
      { status: 404 },
    );
  };
}
