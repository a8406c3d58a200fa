/**
 * `branding`: the company's name, logo, favicon, colour, footer and extra stylesheet on every page
 * we serve. Every key is optional. Here only the shape and formats are checked; the files (exist,
 * are images or CSS, within their size limits) are checked when the configuration is loaded, by
 * config/branding-files.ts, and the colour's contrast by web/branding/colours.ts.
 */
import { z } from 'zod';
import { localizedText } from './localized.js';

const filePath = z.string().trim().min(1).max(1024);

export const brandingSchema = z
  .object({
    /** The company's name, in the header of every page and in the page title. */
    name: localizedText(64).optional(),
    /** PNG, JPEG, GIF, WebP or SVG, served from our own origin. */
    logo: filePath.optional(),
    /** ICO or PNG, served at /favicon.ico instead of ours. */
    favicon: filePath.optional(),
    /** Buttons and links; darkened (and logged) when white text on it would be hard to read. */
    primaryColor: z
      .string()
      .regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, 'must be a hex colour such as "#0b5fff" or "#06f"')
      .optional(),
    footer: z
      .object({
        helpdesk: localizedText(120).optional(),
        privacyUrl: z
          .string()
          .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
            message: 'must be an absolute http(s) URL',
          })
          .optional(),
        /** The ICP filing number (e.g. 京ICP备12345678号), linked to the MIIT filing site. */
        icp: z.string().trim().min(1).max(64).optional(),
      })
      .strict()
      .optional(),
    /** A stylesheet added after ours, served from our origin (the pages' CSP still applies). */
    css: filePath.optional(),
  })
  .strict();

export type BrandingConfig = z.infer<typeof brandingSchema>;
