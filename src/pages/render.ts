/**
 * Renders our HTML pages (login choice, consent, errors, logout) with eta, which escapes every
 * interpolation by default, and sends them with a strict Content-Security-Policy: scripts only
 * where a page needs them and then only by a per-response nonce, styles only from our stylesheet,
 * no framing of our pages, and forms only to the origins a page's forms actually reach (a form that
 * redirects onward is checked against form-action by browsers, so the WeCom login origin and the
 * app's redirect origin are listed where they apply).
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { Context } from 'koa';
import { translator, type Lang } from '../i18n/index.js';
import { requestIdOf } from '../observability/request-id.js';

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
  [key: string]: unknown;
}

export class PageRenderer {
  private readonly eta = new Eta({ views: VIEWS_DIR, autoEscape: true, cache: true });

  /** @param basePath the issuer's path ('' or '/oidc'), under which our assets are served. */
  constructor(private readonly basePath: string) {}

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

  html(template: string, data: PageData, scripts: { src: string; nonce: string }[] = []): string {
    return this.eta.render(template, { ...data, t: translator(data.lang), stylesheet: this.stylesheetPath, scripts });
  }

  send(ctx: Context, template: string, data: PageData, options: PageOptions = {}): void {
    const nonce = options.scripts?.length ? randomBytes(16).toString('base64') : undefined;
    ctx.status = options.status ?? 200;
    ctx.type = 'html';
    setPageHeaders(ctx, { ...options, nonce });
    const scripts = nonce ? (options.scripts ?? []).map((name) => ({ src: this.assetPath(name), nonce })) : [];
    // Every error page shows the request id, so a person can quote it and an administrator find it in the log.
    const requestId = ctx.status >= 400 ? requestIdOf(ctx.req) : undefined;
    ctx.body = this.html(template, { ...data, requestId }, scripts);
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
