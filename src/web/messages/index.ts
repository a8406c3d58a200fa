/**
 * Every sentence of our pages in both languages (messages.ts), and the translator that fills them in.
 * Which language a page speaks is decided in pages/language.ts.
 */
import type { Lang } from '../../model/index.js';
import { messages, type MessageKey } from './messages.js';

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  return (key, values) => {
    const template = messages[key][lang];
    return values ? template.replace(/\{(\w+)\}/g, (match, name: string) => String(values[name] ?? match)) : template;
  };
}

export type { MessageKey };
