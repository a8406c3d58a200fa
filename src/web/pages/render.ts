/**
 * Renders our HTML pages (login choice, consent, errors, logout) with eta, which escapes every
 * interpolation by default, and sends them with a strict Content-Security-Policy: scripts only
 * where a page needs them and then only by a per-response nonce, styles only from our stylesheet,
 * no framing of our pages, and forms only to the origins a page's forms actually reach (a form that
 * redirects onward is checked against form-action by browsers, so the WeCom login origin and the
 * app's redirect origin are listed where they apply).
 */
import { localize, type Lang } from '../../model/index.js';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { Context } from 'koa';
import { ICP_FILING_URL, type Branding } from '../branding/index.js';
import { translator } from '../messages/index.js';
import { requestIdOf } from '../../observability/request-id.js';
import { withLang } from './language.js';

const VIEWS_DIR = fileURLToPath(new URL('../views', import.meta.url));

export interface PageOptions {
  status?: number;
  /** Origins (besides our own) that this page's forms, or the redirects after them, may reach. */
  formTargets?: string[];
  /** Origins (besides our own) that images may come from, e.g. a client's logo_uri. */
  imageSources?: string[];
  /** Our script files this page loads (paths under the assets route), allowed by nonce. */
  scripts?: string[];
  /** Origins this page may show in an iframe (WeCom's login panel). */
  frameSources?: string[];
}

export interface PageData {
  lang: Lang;
  title: string;
  /** `display=popup`: a compact page for a sign-in opened in a popup window. */
  popup?: boolean;
  /** The app's `ui_locales` chose the language, which a person's choice does not override: no switch. */
  langByApp?: boolean;
  /**
   * Where the language switch leads (with `?lang=`): a page that can be shown again. Default: this
   * page's URL when it was a GET, else its path.
   */
  langSwitchUrl?: string;
  [key: string]: unknown;
}

const OTHER_LANG: Record<Lang, { lang: Lang; label: string }> = {
  'zh-CN': { lang: 'en', label: 'English' },
  en: { lang: 'zh-CN', label: '中文' },
};

export class PageRenderer {
  private readonly eta = new Eta({ views: VIEWS_DIR, autoEscape: true, cache: true });

  /**
   * @param basePath the issuer's path ('' or '/oidc'), under which our assets are served.
   * @param branding what the shared layout shows on every page (name, logo, footer, colours).
   */
  constructor(
    private readonly basePath: string,
    private readonly branding?: Branding,
  ) {}

  /** The branding files (logo, favicon, theme) to serve from our origin. */
  get brandingFiles(): Branding['files'] | undefined {
    return this.branding?.files;
  }

  /** The issuer root, where our landing page is: the way on from a page with nowhere else to go. */
  get homePath(): string {
    return `${this.basePath}/`;
  }

  get stylesheetPath(): string {
    return `${this.basePath}/assets/style.css`;
  }

  assetPath(name: string): string {
    return `${this.basePath}/assets/${name}`;
  }

  html(template: string, data: PageData, scripts: { src: string; nonce: string }[] = [], currentUrl?: string): string {
    const other = OTHER_LANG[data.lang];
    const switchFrom = data.langSwitchUrl ?? currentUrl;
    return this.eta.render(template, {
      ...data,
      t: translator(data.lang),
      stylesheets: [this.stylesheetPath, ...(this.branding?.stylesheets ?? [])],
      scripts,
      brand: this.layoutBrand(data.lang),
      langSwitch: data.langByApp || !switchFrom ? undefined : { ...other, href: withLang(switchFrom, other.lang) },
    });
  }

  /** What the shared layout shows of the company, in the page's language. */
  private layoutBrand(lang: Lang) {
    const branding = this.branding;
    const footer = branding?.footer ?? {};
    return {
      name: branding?.name ? localize(branding.name, lang) : undefined,
      logoUrl: branding?.logoUrl,
      customLogo: branding?.customLogo ?? false,
      faviconUrl: branding?.faviconUrl,
      helpdesk: footer.helpdesk ? localize(footer.helpdesk, lang) : undefined,
      privacyUrl: footer.privacyUrl,
      icp: footer.icp,
      icpUrl: ICP_FILING_URL,
    };
  }

  send(ctx: Context, template: string, data: PageData, options: PageOptions = {}): void {
    const nonce = options.scripts?.length ? randomBytes(16).toString('base64') : undefined;
    ctx.status = options.status ?? 200;
    ctx.type = 'html';
    setPageHeaders(ctx, { ...options, nonce });
    const scripts = nonce ? (options.scripts ?? []).map((name) => ({ src: this.assetPath(name), nonce })) : [];
    // Every error page shows the request id, so a person can quote it and an administrator find it in the log.
    const requestId = ctx.status >= 400 ? requestIdOf(ctx.req) : undefined;
    ctx.body = this.html(template, { ...data, requestId }, scripts, ctx.method === 'GET' ? ctx.originalUrl : ctx.originalUrl.split('?')[0]);
  }
}

export function setPageHeaders(ctx: Context, options: PageOptions & { nonce?: string } = {}): void {
  const directives = [
    "default-src 'none'",
    `script-src ${options.nonce ? `'nonce-${options.nonce}'` : "'none'"}`,
    "style-src 'self'",
    `img-src ${sourceList(options.imageSources ?? [])} data:`,
    `form-action ${sourceList(options.formTargets ?? [])}`,
    ...(options.frameSources?.length ? [`frame-src ${origins(options.frameSources).join(' ')}`] : []),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ];
  ctx.set('Content-Security-Policy', directives.join('; '));
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Cache-Control', 'no-store');
}

function sourceList(urls: string[]): string {
  return ["'self'", ...origins(urls)].join(' ');
}

function origins(urls: string[]): string[] {
  return [...new Set(urls.map(originOf).filter(Boolean))];
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}
