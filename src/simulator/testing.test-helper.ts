/**
 * Test support: a simulator inside a real Koa app on 127.0.0.1 (random port), plus small helpers to
 * call its API and submit its forms the way a browser without JavaScript would. Used by the
 * simulator's own tests; other suites may use it too. No test framework is imported here.
 */
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { parse } from 'node-html-parser';
import type { SimulatorApp } from '../config/schema.js';
import { createMemoryLogger } from '../observability/log.js';
import { createWeComSimulator, type SimulatorOptions, type WeComSimulator } from './index.js';

export const TEST_CORP = 'wwsimulatortest0001';
export const OTHER_CORP = 'wwothercorp00000002';
export const TRUSTED_DOMAIN = 'localhost:3000';
export const CALLBACK = `http://${TRUSTED_DOMAIN}/interaction/abc/wecom/callback`;

/** A: a new app. B: created before 2022-06-20 (legacy contact fields). C: trusted IPs set. */
export const TEST_APPS = {
  a: { corpId: TEST_CORP, agentId: '1000002', secret: 'secret-of-app-a', legacyContactFields: false },
  b: { corpId: TEST_CORP, agentId: '1000003', secret: 'secret-of-app-b', legacyContactFields: true },
  c: { corpId: TEST_CORP, agentId: '1000004', secret: 'secret-of-app-c', legacyContactFields: false, trustedIps: ['203.0.113.7'] },
  other: { corpId: OTHER_CORP, agentId: '1000002', secret: 'secret-of-other-corp', legacyContactFields: false },
} satisfies Record<string, SimulatorApp>;

export interface SimulatorHarness {
  simulator: WeComSimulator;
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  /** origin + basePath: what apiBase, qrLoginBase and oauthBase point to. */
  base: string;
  basePath: string;
  logLines: string[];
  close(): Promise<void>;
}

export async function startSimulator(overrides: Partial<SimulatorOptions> = {}): Promise<SimulatorHarness> {
  const log = createMemoryLogger();
  const basePath = overrides.basePath ?? '/wecom-simulator';
  const simulator = createWeComSimulator({
    apps: Object.values(TEST_APPS),
    trustedDomain: TRUSTED_DOMAIN,
    basePath,
    log,
    ...overrides,
  });
  const app = new Koa();
  app.use(simulator.middleware());
  app.use((ctx) => {
    ctx.body = 'the host app';
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    simulator,
    origin,
    base: `${origin}${basePath}`,
    basePath,
    logLines: log.lines,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** Calls a simulated API and returns its JSON (WeCom always answers HTTP 200). */
export async function callApi(
  harness: SimulatorHarness,
  path: string,
  query: Record<string, string> = {},
  body?: unknown,
): Promise<Record<string, unknown> & { errcode: number; errmsg: string }> {
  const url = `${harness.base}/cgi-bin/${path}?${new URLSearchParams(query).toString()}`;
  const response = await fetch(url, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  if (response.status !== 200) throw new Error(`${path} answered HTTP ${response.status}`);
  return (await response.json()) as Record<string, unknown> & { errcode: number; errmsg: string };
}

export async function getToken(harness: SimulatorHarness, app: SimulatorApp = TEST_APPS.a): Promise<string> {
  const result = await callApi(harness, 'gettoken', { corpid: app.corpId, corpsecret: app.secret });
  if (result.errcode !== 0) throw new Error(`gettoken failed: ${result.errmsg}`);
  return result.access_token as string;
}

export interface PageForm {
  action: string;
  fields: Record<string, string>;
  button: string;
}

/** The page's forms with their fields and button text, as a browser would submit them. */
export function formsOf(html: string): PageForm[] {
  return parse(html)
    .querySelectorAll('form')
    .map((form) => {
      const fields: Record<string, string> = {};
      for (const input of form.querySelectorAll('input')) {
        const name = input.getAttribute('name');
        if (name) fields[name] = input.getAttribute('value') ?? '';
      }
      return { action: form.getAttribute('action') ?? '', fields, button: form.querySelector('button')?.text.trim() ?? '' };
    });
}

/** Submits a form (urlencoded POST) without following the redirect. */
export function submit(harness: SimulatorHarness, form: PageForm, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${harness.origin}${form.action}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form.fields).toString(),
  });
}

export function getPage(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { redirect: 'manual', headers });
}
