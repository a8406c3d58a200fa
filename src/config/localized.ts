/**
 * Labels an operator writes for people to read (a connection's button, the company's name): one
 * string for both page languages, or `{ "zh-CN": "…", "en": "…" }` (either may be left out; the
 * other is shown instead).
 */
import { z } from 'zod';

export function localizedText(maxLength: number) {
  const text = z.string().trim().min(1).max(maxLength);
  return z.union([
    text,
    z
      .object({ 'zh-CN': text.optional(), en: text.optional() })
      .strict()
      .refine((value) => value['zh-CN'] !== undefined || value.en !== undefined, {
        message: 'give the text in "zh-CN", "en" or both',
      }),
  ]);
}
