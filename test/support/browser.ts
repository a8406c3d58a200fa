/**
 * A cookie-keeping HTTP client that behaves like a browser for our purposes: it follows redirects
 * one by one (so tests can stop at the app's redirect_uri, which no server answers), keeps cookies
 * per RFC 6265 via tough-cookie, and submits HTML forms found on a page.
 */
import { CookieJar } from 'tough-cookie';
import { parse, type HTMLElement } from 'node-html-parser';

export interface Page {
  url: string;
  status: number;
  headers: Headers;
  body: string;
  /** Every URL visited to get here, first to last. */
  chain: string[];
}

export interface FormInfo {
  action: string;
  method: string;
  fields: Record<string, string>;
  text: string;
  element: HTMLElement;
}

export class Browser {
  readonly jar = new CookieJar();

  constructor(private readonly userAgent = 'Mozilla/5.0 (X11; Linux x86_64) wecom-oidc-tests') {}

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Page> {
    const headers: Record<string, string> = { 'user-agent': this.userAgent, accept: 'text/html' };
    const cookie = await this.jar.getCookieString(url);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(url, { method: init.method ?? 'GET', headers, body, redirect: 'manual' });
    for (const setCookie of response.headers.getSetCookie()) await this.jar.setCookie(setCookie, url);
    return { url, status: response.status, headers: response.headers, body: await response.text(), chain: [url] };
  }

  /**
   * Requests `url` and follows redirects until a page is not a redirect, or until the next URL
   * satisfies `stopAt` (returned unvisited, as a 302 page whose `url` is that target).
   */
  async follow(
    url: string,
    init: { method?: string; form?: Record<string, string> } = {},
    stopAt: (next: string) => boolean = () => false,
  ): Promise<Page> {
    const chain: string[] = [];
    let page = await this.request(url, init);
    chain.push(url);
    for (let hops = 0; hops < 20; hops += 1) {
      const location = page.headers.get('location');
      if (page.status < 300 || page.status >= 400 || !location) return { ...page, chain };
      const next = new URL(location, page.url).href;
      if (stopAt(next)) return { ...page, url: next, chain: [...chain, next] };
      page = await this.request(next);
      chain.push(next);
    }
    throw new Error(`too many redirects from ${url}`);
  }

  async submit(page: Page, form: FormInfo, stopAt?: (next: string) => boolean): Promise<Page> {
    return this.follow(new URL(form.action || page.url, page.url).href, { method: form.method, form: form.fields }, stopAt);
  }
}

export function formsOf(page: Page): FormInfo[] {
  return parse(page.body)
    .querySelectorAll('form')
    .map((element) => {
      const fields: Record<string, string> = {};
      for (const input of element.querySelectorAll('input')) {
        const name = input.getAttribute('name');
        if (name) fields[name] = input.getAttribute('value') ?? '';
      }
      const button = element.querySelector('button[name]');
      if (button?.getAttribute('name')) fields[button.getAttribute('name')!] = button.getAttribute('value') ?? '';
      return {
        action: element.getAttribute('action') ?? '',
        method: (element.getAttribute('method') ?? 'get').toUpperCase(),
        fields,
        text: element.text.trim(),
        element,
      };
    });
}

export function textOf(page: Page): string {
  return parse(page.body).querySelector('body')?.text.replace(/\s+/g, ' ').trim() ?? '';
}
