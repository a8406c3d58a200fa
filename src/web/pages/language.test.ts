import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { langDecision } from './language.js';

// A real Koa server, so the Accept-Language negotiation is Koa's own, as in production.
let base = '';
const server = new Koa()
  .use((ctx) => {
    ctx.body = langDecision(ctx, ctx.query.ui_locales);
  })
  .listen(0, '127.0.0.1');
beforeAll(() => {
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => void server.close());

async function decide(headers: Record<string, string>, query = '') {
  return (await fetch(`${base}/${query}`, { headers })).json();
}

describe('which language a page speaks', () => {
  it.each([
    ['', 'zh-CN'],
    ['en-US,en;q=0.9', 'en'],
    ['zh-TW', 'zh-CN'],
    ['fr-FR, en;q=0.5, zh;q=0.8', 'zh-CN'],
    ['fr-FR, en;q=0.8, zh;q=0.5', 'en'],
    ['de', 'zh-CN'],
    ['en;q=0, zh-CN;q=0.1', 'zh-CN'],
    ['*', 'zh-CN'],
  ])('Accept-Language %j reads as %s', async (acceptLanguage, lang) => {
    expect(await decide(acceptLanguage ? { 'accept-language': acceptLanguage } : {})).toEqual({ lang, byApp: false });
  });

  it("the app's ui_locales wins over the person's choice, which wins over the browser", async () => {
    expect(await decide({ 'accept-language': 'zh', cookie: 'wecom_oidc_lang=zh-CN' }, '?ui_locales=fr%20en-GB')).toEqual({ lang: 'en', byApp: true });
    expect(await decide({ 'accept-language': 'zh' }, '?lang=en')).toEqual({ lang: 'en', byApp: false });
    expect(await decide({ 'accept-language': 'en', cookie: 'wecom_oidc_lang=zh-CN' })).toEqual({ lang: 'zh-CN', byApp: false });
  });
});
