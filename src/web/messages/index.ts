/**
 * Page language: zh-CN by default (our users are WeCom companies), English when the RP asks for it
 * with `ui_locales`, the person chose it with the language switch, or the browser prefers it by
 * Accept-Language, in that order: the app's explicit request wins over the person's choice, which
 * wins over the browser's default.
 */
import { messages, type MessageKey } from './messages.js';

export type Lang = 'zh-CN' | 'en';
/** Every page language, in BCP 47 (as discovery's ui_locales_supported lists them). */
export const LANGS: readonly Lang[] = ['zh-CN', 'en'];
export const DEFAULT_LANG: Lang = 'zh-CN';

export interface LangDecision {
  lang: Lang;
  /** The app's `ui_locales` decided it, so a person's choice cannot change it. */
  byApp: boolean;
}

/** `ui_locales` (space-separated, in preference order) wins over Accept-Language. */
export function pickLang(uiLocales: unknown, acceptLanguage: string | undefined): Lang {
  return decideLang({ uiLocales, acceptLanguage }).lang;
}

export function decideLang(input: { uiLocales?: unknown; chosen?: unknown; acceptLanguage?: string }): LangDecision {
  if (typeof input.uiLocales === 'string') {
    for (const tag of input.uiLocales.split(/\s+/)) {
      const lang = matchTag(tag);
      if (lang) return { lang, byApp: true };
    }
  }
  const chosen = asLang(input.chosen);
  if (chosen) return { lang: chosen, byApp: false };
  return { lang: fromAcceptLanguage(input.acceptLanguage), byApp: false };
}

/** A language named exactly as our switch names them ('zh-CN' or 'en'), else undefined. */
export function asLang(value: unknown): Lang | undefined {
  return LANGS.find((lang) => lang === value);
}

function fromAcceptLanguage(acceptLanguage: string | undefined): Lang {
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

/** A label an operator configured: one text for both languages, or one per language. */
export type LocalizedText = string | { 'zh-CN'?: string; en?: string };

/** The label in `lang`, else in the other language (an operator may have written only one). */
export function localize(text: LocalizedText, lang: Lang): string {
  if (typeof text === 'string') return text;
  return text[lang] ?? text[lang === 'en' ? 'zh-CN' : 'en'] ?? '';
}
