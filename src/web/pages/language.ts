/**
 * The language switch on every page: a link that adds `?lang=zh-CN|en` to a page that can be shown
 * again, and a session cookie that remembers the choice for the rest of the sign-in attempt (and
 * the browser session). Deciding the language itself is i18n's job (`decideLang`): the app's
 * `ui_locales` wins over this choice, which wins over Accept-Language.
 */
import type { Context } from 'koa';
import { asLang, decideLang, type Lang, type LangDecision } from '../messages/index.js';

export const LANG_PARAM = 'lang';
export const LANG_COOKIE = 'wecom_oidc_lang';

/** The person's choice: the switch just clicked (`?lang=`), else the one remembered. */
export function chosenLang(ctx: Pick<Context, 'query' | 'cookies'>): Lang | undefined {
  return asLang(ctx.query[LANG_PARAM]) ?? asLang(ctx.cookies.get(LANG_COOKIE, { signed: false }));
}

export function langDecision(ctx: Pick<Context, 'query' | 'cookies' | 'get'>, uiLocales: unknown): LangDecision {
  return decideLang({ uiLocales, chosen: chosenLang(ctx), acceptLanguage: ctx.get('accept-language') });
}

/** Remembers a `?lang=` choice in a cookie for every page under the issuer's path. */
export function rememberLangChoice(basePath: string) {
  return async function langChoice(ctx: Context, next: () => Promise<unknown>): Promise<void> {
    const lang = ctx.method === 'GET' ? asLang(ctx.query[LANG_PARAM]) : undefined;
    if (lang) {
      ctx.cookies.set(LANG_COOKIE, lang, {
        path: `${basePath}/`,
        httpOnly: true,
        sameSite: 'lax',
        secure: ctx.secure,
        signed: false,
        overwrite: true,
      });
    }
    await next();
  };
}

/** `url` (path and query) with `?lang=` set to `lang`, for the switch link. */
export function withLang(url: string, lang: Lang): string {
  const parsed = new URL(url, 'http://placeholder.invalid');
  parsed.searchParams.set(LANG_PARAM, lang);
  return `${parsed.pathname}${parsed.search}`;
}
