/**
 * The README's Grafana recipe, read from the README itself: our client entry and the connection's
 * `emailFallback` configure the server, and the `*_attribute_path` JMESPath expressions of its
 * grafana.ini are evaluated with the reference JMESPath implementation (npm `jmespath`) against the
 * userinfo responses Grafana would get (its `api_url`), after real sign-ins through the simulator
 * with the recipe's scopes. A member without any e-mail gets the templated address (Grafana ≥ 11.2
 * refuses a login without one); the department names drive the role expression.
 */
import { search } from 'jmespath';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { discover, signInAndRedeem } from '../support/flow.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { codeBlocks, readmeSection as section } from './readme.js';

/** `key = value` lines of one section of an ini file (Grafana's format: the value is the rest of the line). */
function iniSection(ini: string, name: string): Record<string, string> {
  const values: Record<string, string> = {};
  let current = '';
  for (const line of ini.split('\n')) {
    const header = /^\[(.+)\]\s*$/.exec(line);
    if (header) current = header[1]!;
    const entry = /^([a-z_]+)\s*=\s*(.*)$/.exec(line);
    if (entry && current === name) values[entry[1]!] = entry[2]!.trim();
  }
  return values;
}

const grafana = section('#### Grafana');
const [clientJson] = codeBlocks(grafana, 'json');
const [grafanaIni] = codeBlocks(grafana, 'ini');
const settings = iniSection(grafanaIni ?? '', 'auth.generic_oauth');
const readmeClient = JSON.parse(clientJson ?? '{}') as { client_id: string; redirect_uris: string[]; [key: string]: unknown };
const connectionJson = codeBlocks(section('### Cookbook'), 'json').find((block) => block.includes('emailFallback'));
const { emailFallback } = JSON.parse(connectionJson ?? '{}') as { emailFallback: { template: string } };

/** What Grafana's generic_oauth would make of a userinfo response, by the recipe's expressions. */
function grafanaView(userinfo: Record<string, unknown>) {
  return {
    email: search(userinfo, settings.email_attribute_path!) as unknown,
    login: search(userinfo, settings.login_attribute_path!) as unknown,
    name: search(userinfo, settings.name_attribute_path!) as unknown,
    groups: search(userinfo, settings.groups_attribute_path!) as unknown,
    role: search(userinfo, settings.role_attribute_path!) as unknown,
  };
}

describe("the README's Grafana recipe (generic_oauth JMESPath over real userinfo responses)", () => {
  const client = { ...readmeClient, client_secret: 'grafana-secret-0123456789abcdef012345' };
  let newApp: TestServer;
  let legacyApp: TestServer;

  beforeAll(async () => {
    // the connection as the cookbook configures it: a WeCom app created after 2022-06-20 (no e-mail
    // from user/get for anyone), with the recipe's emailFallback
    newApp = await startTestServer((raw) => {
      (raw.clients as unknown[]).push(structuredClone(client));
      (raw.connections as Record<string, unknown>[])[0]!.emailFallback = structuredClone(emailFallback);
    });
    // and an app created before that date, whose members' real addresses must win over the template
    legacyApp = await startTestServer((raw) => {
      (raw.clients as unknown[]).push(structuredClone(client));
      const connection = (raw.connections as Record<string, unknown>[])[0]!;
      connection.emailFallback = structuredClone(emailFallback);
      raw.simulator = {
        enabled: true,
        apps: [{ corpId: connection.corpId, agentId: connection.agentId, secret: connection.secret, legacyContactFields: true }],
      };
    });
  });
  afterAll(async () => {
    await newApp?.stop();
    await legacyApp?.stop();
  });

  it('the README gives the client, the fallback template and every expression the test reads', () => {
    expect(readmeClient.client_id).toBe('grafana');
    expect(readmeClient).not.toHaveProperty('id_token_claims'); // Grafana reads userinfo (api_url): minimal
    expect(emailFallback.template).toBe('{userid}@corp.example.com');
    expect(settings).toMatchObject({ scopes: 'openid profile email wecom', api_url: 'https://id.example.com/me', use_pkce: 'true' });
    for (const key of ['email_attribute_path', 'login_attribute_path', 'name_attribute_path', 'groups_attribute_path', 'role_attribute_path']) {
      expect(settings[key], key).toBeTruthy();
    }
  });

  /** Signs in as Grafana would (the recipe's scopes, PKCE) and fetches userinfo from our api_url. */
  async function userinfoAfterSignIn(t: TestServer, who: string) {
    const config = await discover(t.issuer, client);
    const { tokens } = await signInAndRedeem(new Browser(), config, client.redirect_uris[0]!, who, { scope: settings.scopes! });
    const apiUrl = new URL(new URL(settings.api_url!).pathname, t.issuer);
    const response = await fetch(apiUrl, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(response.status).toBe(200);
    return { userinfo: (await response.json()) as Record<string, unknown>, idToken: tokens.claims()! };
  }

  it('a member WeCom gives no e-mail at all gets the templated address; 总部 makes him Admin', async () => {
    const { userinfo, idToken } = await userinfoAfterSignIn(newApp, 'ZhangSan');
    expect(grafanaView(userinfo)).toEqual({
      email: 'zhangsan@corp.example.com',
      login: 'ZhangSan',
      name: '张三',
      groups: ['总部', '研发部'],
      role: 'Admin',
    });
    // a templated address is not asserted as verified (the recipe does not set "verified": true)
    expect(userinfo.email_verified).toBe(false);
    // the recipe's client keeps the minimal ID token: Grafana finds these at api_url
    expect(idToken).not.toHaveProperty('email');
    expect(idToken).not.toHaveProperty('groups');
  });

  it('a member of 研发部 only is an Editor; on a new app she too gets the templated address', async () => {
    const { userinfo } = await userinfoAfterSignIn(newApp, 'LiSi');
    expect(grafanaView(userinfo)).toEqual({ email: 'lisi@corp.example.com', login: 'LiSi', name: '李四', groups: ['研发部'], role: 'Editor' });
    expect(userinfo.email_verified).toBe(false);
  });

  it('where WeCom gives a real address, it wins over the template (the corp mailbox, verified)', async () => {
    const { userinfo } = await userinfoAfterSignIn(legacyApp, 'LiSi');
    // the same string as the template would make, but WeCom's biz_mail: verified, not templated
    expect(grafanaView(userinfo)).toMatchObject({ email: 'lisi@corp.example.com', role: 'Editor' });
    expect(userinfo.email_verified).toBe(true);
    // ZhangSan has no address in WeCom even on a legacy app: the template, unverified
    const zhangsan = await userinfoAfterSignIn(legacyApp, 'ZhangSan');
    expect(grafanaView(zhangsan.userinfo)).toMatchObject({ email: 'zhangsan@corp.example.com', role: 'Admin' });
    expect(zhangsan.userinfo.email_verified).toBe(false);
  });

  it('the role expression falls through to Viewer for a member of neither department', () => {
    // a made-up userinfo: the simulator's only member of another department (市场部) is outside the
    // app's visible scope and cannot sign in
    expect(search({ groups: ['市场部'] }, settings.role_attribute_path!)).toBe('Viewer');
  });
});
