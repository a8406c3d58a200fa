/**
 * Renders our HTML pages (login choice, consent, errors, logout) with eta, which escapes every
 * interpolation by default, and sends them with a strict Content-Security-Policy: no scripts at
 * all, styles only from our own stylesheet, no framing, and forms only to the origins a page's
 * forms actually reach (a form that redirects onward is checked against form-action by browsers,
 * so the WeCom login origin and the app's redirect origin are listed where they apply).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { Context } from 'koa';
import { translator, type Lang } from '../i18n/index.js';

const VIEWS_DIR = fileURLToPath(new URL('../views', import.meta.url));

export interface PageOptions {
  status?: number;
  /** Origins (besides our own) that this page's forms, or the redirects after them, may reach. */
  formTargets?: string[];
  /** Origins (besides our own) that images may come from, e.g. a client's logo_uri. */
  imageSources?: string[];
}

export interface PageData {
  lang: Lang;
  title: string;
  [key: string]: unknown;
}

export class PageRenderer {
  private readonly eta = new Eta({ views: VIEWS_DIR, autoEscape: true, cache: true });
  readonly stylesheet = readFileSync(new URL('../views/style.css', import.meta.url), 'utf8');

  /** @param basePath the issuer's path ('' or '/oidc'), under which our assets are served. */
  constructor(private readonly basePath: string) {}

  get stylesheetPath(): string {
    return `${this.basePath}/assets/style.css`;
  }

  html(template: string, data: PageData): string {
    return this.eta.render(template, { ...data, t: translator(data.lang), stylesheet: this.stylesheetPath });
  }

  send(ctx: Context, template: string, data: PageData, options: PageOptions = {}): void {
    ctx.status = options.status ?? 200;
    ctx.type = 'html';
    setPageHeaders(ctx, options.formTargets ?? [], options.imageSources ?? []);
    ctx.body = this.html(template, data);
  }
}

export function setPageHeaders(ctx: Context, formTargets: string[] = [], imageSources: string[] = []): void {
  const formAction = sourceList(formTargets);
  const imgSrc = sourceList(imageSources);
  ctx.set(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'self'; img-src ${imgSrc} data:; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
  );
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Cache-Control', 'no-store');
}

function sourceList(urls: string[]): string {
  return ["'self'", ...new Set(urls.map(originOf).filter(Boolean))].join(' ');
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}
