/**
 * The languages people read this service in: pages, admin CLI output and WeCom error explanations
 * all speak these two, in BCP 47 (as discovery's ui_locales_supported lists them).
 */
export const LANGS = ['zh-CN', 'en'] as const;
export type Lang = (typeof LANGS)[number];
/** Our users are WeCom companies: Chinese unless something says otherwise. */
export const DEFAULT_LANG: Lang = 'zh-CN';

/** A language named exactly as we name them ('zh-CN' or 'en'), else undefined. */
export function asLang(value: unknown): Lang | undefined {
  return LANGS.find((lang) => lang === value);
}

/** A label an operator configured: one text for both languages, or one per language. */
export type LocalizedText = string | { 'zh-CN'?: string; en?: string };

/** The label in `lang`, else in the other language (an operator may have written only one). */
export function localize(text: LocalizedText, lang: Lang): string {
  if (typeof text === 'string') return text;
  return text[lang] ?? text[lang === 'en' ? 'zh-CN' : 'en'] ?? '';
}
