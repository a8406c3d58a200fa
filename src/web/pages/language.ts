/**
 * Which language a page speaks: zh-CN by default (our users are WeCom companies), English when the
 * app asks for it with `ui_locales`, the person chose it with the language switch, or the browser
 * prefers it by Accept-Language, in that order: the app's explicit request wins over the person's
 * choice, which wins over the browser's default.
 *
 * The switch is a link that adds `?lang=zh-CN|en` to a page that can be shown again, and a session
 * cookie that remembers the choice for the rest of the sign-in attempt (and the browser session).
 */
import type { Context } from 'koa';
import { DEFAULT_LANG, asLang, type Lang } from '../../model/index.js';

export interface LangDecision {
  lang: Lang;
  /** The app's `ui_locales` decided it, so a person's choice cannot change it. */
  byApp: boolean;
}

export const LANG_PARAM = 'lang';
export const LANG_COOKIE = 'wecom_oidc_lang';

/** The person's choice: the switch just clicked (`?lang=`), else the one remembered. */
export function chosenLang(ctx: Pick<Context, 'query' | 'cookies'>): Lang | undefined {
  return asLang(ctx.query[LANG_PARAM]) ?? asLang(ctx.cookies.get(LANG_COOKIE, { signed: false }));
}

export function langDecision(ctx: Pick<Context, 'query' | 'cookies' | 'acceptsLanguages'>, uiLocales: unknown): LangDecision {
  if (typeof uiLocales === 'string') {
    for (const tag of uiLocales.split(/\s+/)) {
      const lang = ourLangFor(tag);
      if (lang) return { lang, byApp: true };
    }
  }
  return { lang: chosenLang(ctx) ?? browserLang(ctx), byApp: false };
}

/**
 * The browser's preference by Accept-Language, negotiated by Koa (q-values, wildcards): any `zh-*`
 * reads as zh-CN and any `en-*` as en, since those are the two we speak.
 */
export function browserLang(ctx: Pick<Context, 'acceptsLanguages'>): Lang {
  const preferred = ctx.acceptsLanguages([...NEGOTIABLE_TAGS]);
  return (preferred && ourLangFor(preferred)) || DEFAULT_LANG;
}

/** What we offer Koa's negotiation: our two languages, and their bare primary tags so that any region matches. */
const NEGOTIABLE_TAGS = ['zh-CN', 'zh', 'en'] as const;

function ourLangFor(tag: string): Lang | undefined {
  const primary = tag.toLowerCase().split('-')[0];
  if (primary === 'zh') return 'zh-CN';
  if (primary === 'en') return 'en';
  return undefined;
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
