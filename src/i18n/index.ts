/**
 * Page language: zh-CN by default (our users are WeCom companies), English when the RP asks for it
 * with `ui_locales` or the browser prefers it by Accept-Language.
 */
import { messages, type MessageKey } from './messages.js';

export type Lang = 'zh-CN' | 'en';
/** Every page language, in BCP 47 (as discovery's ui_locales_supported lists them). */
export const LANGS: readonly Lang[] = ['zh-CN', 'en'];
export const DEFAULT_LANG: Lang = 'zh-CN';

/** `ui_locales` (space-separated, in preference order) wins over Accept-Language. */
export function pickLang(uiLocales: unknown, acceptLanguage: string | undefined): Lang {
  if (typeof uiLocales === 'string') {
    for (const tag of uiLocales.split(/\s+/)) {
      const lang = matchTag(tag);
      if (lang) return lang;
    }
  }
  if (acceptLanguage) {
    const ranked = acceptLanguage
      .split(',')
      .map((part) => {
        const [tag = '', ...params] = part.trim().split(';');
        const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
        return { tag, q: q ? Number(q.slice(2)) || 0 : 1 };
      })
      .filter(({ q }) => q > 0)
      .sort((a, b) => b.q - a.q);
    for (const { tag } of ranked) {
      const lang = matchTag(tag);
      if (lang) return lang;
    }
  }
  return DEFAULT_LANG;
}

function matchTag(tag: string): Lang | undefined {
  const primary = tag.toLowerCase().split('-')[0];
  if (primary === 'zh') return 'zh-CN';
  if (primary === 'en') return 'en';
  return undefined;
}

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  return (key, values) => {
    const template = messages[key][lang];
    return values ? template.replace(/\{(\w+)\}/g, (match, name: string) => String(values[name] ?? match)) : template;
  };
}

export type { MessageKey };
