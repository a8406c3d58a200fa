/**
 * The company's branding as our pages use it: what the shared layout shows (name, logo, footer,
 * stylesheets, favicon) and the files served for it from our own origin under `/assets/brand/`
 * (and the favicon at `/favicon.ico`). URLs carry a short content hash, so a changed file is
 * fetched again although assets are cached for an hour.
 */
import type { LocalizedText } from '../../model/index.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { BrandingConfig } from '../../config/branding-schema.js';
import type { Logger } from '../../observability/log.js';
import { themeFor, themeStylesheet } from './colours.js';
import { readBrandingFiles } from '../../config/branding-files.js';

export interface ServedFile {
  type: string;
  body: Buffer | string;
}

export interface Branding {
  /** The company's name; absent: the product's own name is shown. */
  name?: LocalizedText;
  /** The logo's URL on our origin; absent: our default mark. */
  logoUrl: string;
  /** True when the logo is the company's (the layout then shows it larger). */
  customLogo: boolean;
  faviconUrl: string;
  /** Stylesheets after ours: the generated colour theme, then the operator's own. */
  stylesheets: string[];
  footer: { helpdesk?: LocalizedText; privacyUrl?: string; icp?: string };
  /** Everything above that we serve, by path. */
  files: Map<string, ServedFile>;
}

/** The MIIT filing site an ICP number links to (the law asks for the link on every page). */
export const ICP_FILING_URL = 'https://beian.miit.gov.cn/';

export function loadBranding(config: BrandingConfig | undefined, basePath: string, log: Logger): Branding {
  const { files, problems } = readBrandingFiles(config);
  // Checked when the configuration was loaded; a file that changed since then stops start-up too.
  if (problems.length) throw new Error(`branding files changed since the configuration was checked: ${problems.join('; ')}`);
  const served = new Map<string, ServedFile>();
  const serve = (name: string, file: ServedFile): string => {
    const path = `${basePath}/assets/brand/${name}`;
    served.set(path, file);
    return `${path}?v=${hashOf(file.body)}`;
  };

  const favicon: ServedFile = files.favicon ?? { type: 'image/x-icon', body: view('favicon.ico') };
  served.set('/favicon.ico', favicon);
  served.set(`${basePath}/favicon.ico`, favicon);
  const faviconUrl = `${basePath}/favicon.ico?v=${hashOf(favicon.body)}`;

  const logoUrl = files.logo ? serve(`logo.${files.logo.ext}`, files.logo) : serve('mark.svg', { type: 'image/svg+xml', body: view('mark.svg') });

  const stylesheets: string[] = [];
  if (config?.primaryColor) {
    const theme = themeFor(config.primaryColor);
    if (theme.adjusted) {
      log.warn('branding.primaryColor is too light for readable text (contrast below 4.5:1); using a darker shade', {
        configured: config.primaryColor,
        used: theme.light.accent,
      });
    }
    stylesheets.push(serve('theme.css', { type: 'text/css; charset=utf-8', body: themeStylesheet(theme) }));
  }
  if (files.css) stylesheets.push(serve('extra.css', files.css));

  return {
    name: config?.name,
    logoUrl,
    customLogo: Boolean(files.logo),
    faviconUrl,
    stylesheets,
    footer: { ...config?.footer },
    files: served,
  };
}

function view(name: string): Buffer {
  return readFileSync(new URL(`../views/${name}`, import.meta.url));
}

function hashOf(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 10);
}
