import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SIMULATOR_LABEL } from './constants.js';
import { DEMO_USERIDS } from './directory.js';
import { DirectoryError } from './live-directory.js';
import { type SimulatorHarness, callApi, formsOf, getToken, startSimulator, submit } from './testing.test-helper.js';

let harness: SimulatorHarness;
beforeEach(async () => {
  harness = await startSimulator();
});
afterEach(() => harness.close());

const { active, withEmail, outsideScope, deleted } = DEMO_USERIDS;

async function userGet(userid: string) {
  return callApi(harness, 'user/get', { access_token: await getToken(harness), userid });
}

function errorCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof DirectoryError) return error.code;
    throw error;
  }
  return undefined;
}

describe('changes made through simulator.directory show in user/get at once', () => {
  it('disable and enable change the status', async () => {
    harness.simulator.directory.disableMember(active);
    expect(await userGet(active)).toMatchObject({ errcode: 0, status: 2 });
    harness.simulator.directory.enableMember(active.toLowerCase());
    expect(await userGet(active)).toMatchObject({ errcode: 0, status: 1 });
  });

  it('delete makes the member 60111', async () => {
    harness.simulator.directory.deleteMember(withEmail);
    expect(await userGet(withEmail)).toMatchObject({ errcode: 60111 });
    expect(harness.simulator.directory.find(withEmail)).toMatchObject({ deleted: true });
  });

  it('out of scope answers 60011, back in scope answers the member again', async () => {
    harness.simulator.directory.moveOutOfScope(active);
    expect((await userGet(active)).errcode).toBe(60011);
    harness.simulator.directory.moveIntoScope(active);
    expect(await userGet(active)).toMatchObject({ errcode: 0, userid: active });
  });

  it('a rename makes the old userid 60111 and the new one the same person, once', async () => {
    harness.simulator.directory.renameMember(active, 'zhangsan.new');
    expect((await userGet(active)).errcode).toBe(60111);
    expect(await userGet('zhangsan.new')).toMatchObject({ errcode: 0, userid: 'zhangsan.new', name: '张三', department: [1, 2] });
    expect(errorCode(() => harness.simulator.directory.renameMember('zhangsan.new', 'zhangsan2'))).toBe('conflict');
  });

  it("a deleted member's userid given to a new person answers the new person", async () => {
    expect((await userGet(deleted)).errcode).toBe(60111);
    harness.simulator.directory.addMember({ userid: deleted, name: '新吴九', position: '设计师' });
    expect(await userGet(deleted)).toMatchObject({ errcode: 0, userid: deleted, name: '新吴九', position: '设计师', status: 1 });
  });

  it('a login code for a renamed-away userid still names the old userid, which is 60111', async () => {
    const code = harness.simulator.issueLoginCode({ corpId: 'wwsimulatortest0001', agentId: '1000002', userid: withEmail });
    harness.simulator.directory.renameMember(withEmail, 'lisi2');
    const token = await getToken(harness);
    expect(await callApi(harness, 'auth/getuserinfo', { access_token: token, code })).toMatchObject({ errcode: 0, userid: withEmail });
    expect((await userGet(withEmail)).errcode).toBe(60111);
  });

  it('refuses what WeCom would refuse, changing nothing', async () => {
    const directory = harness.simulator.directory;
    expect(errorCode(() => directory.deleteMember('nobody'))).toBe('not_found');
    expect(errorCode(() => directory.disableMember(deleted))).toBe('not_found');
    expect(errorCode(() => directory.enableMember(active))).toBe('unchanged');
    expect(errorCode(() => directory.moveIntoScope(active))).toBe('unchanged');
    expect(errorCode(() => directory.renameMember(active, 'lisi'))).toBe('conflict');
    expect(errorCode(() => directory.renameMember(active, 'has space'))).toBe('invalid');
    expect(errorCode(() => directory.addMember({ userid: 'LISI', name: 'x' }))).toBe('conflict');
    expect(errorCode(() => directory.addMember({ userid: 'new', name: ' ' }))).toBe('invalid');
    expect(errorCode(() => directory.addMember({ userid: 'new', name: 'x', department: [99] }))).toBe('invalid');
    expect(await userGet(active)).toMatchObject({ errcode: 0, userid: active, status: 1 });
  });

  it('list() and find() are snapshots: changing them changes nothing', async () => {
    const list = harness.simulator.directory.list();
    list[0]!.status = 2;
    harness.simulator.directory.find(active)!.visible = false;
    expect(await userGet(active)).toMatchObject({ errcode: 0, status: 1 });
  });
});

describe('JSON API', () => {
  const api = (path = '') => `${harness.base}/directory/api/members${path}`;
  const post = (path: string, body: unknown = {}, headers: Record<string, string> = {}) =>
    fetch(api(path), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('lists the members', async () => {
    const response = await fetch(api());
    expect(response.status).toBe(200);
    const body = (await response.json()) as { members: Array<{ userid: string }>; callbackUrls: string[] };
    expect(body.members.map((member) => member.userid)).toContain(active);
    expect(body.callbackUrls).toEqual([]);
  });

  it('makes each change and answers what WeCom would call back', async () => {
    const disabled = await post(`/${active}/disable`);
    expect(disabled.status).toBe(200);
    expect(await disabled.json()).toMatchObject({
      change: { changeType: 'update_user', userid: active, fields: { UserID: active, Status: 2 } },
      member: { userid: active, status: 2 },
      callbacks: 0,
    });
    expect((await post(`/${active}/enable`)).status).toBe(200);
    expect((await post(`/${active}/move-out-of-scope`)).status).toBe(200);
    expect((await userGet(active)).errcode).toBe(60011);
    expect((await post(`/${active}/move-into-scope`)).status).toBe(200);
    const renamed = await post(`/${encodeURIComponent(active)}/rename`, { newUserid: 'zs@corp' });
    expect(await renamed.json()).toMatchObject({ change: { fields: { UserID: active, NewUserID: 'zs@corp' } }, member: { userid: 'zs@corp' } });
    expect((await post('/zs@corp/delete')).status).toBe(200);
    const added = await post('', { userid: active, name: '张三（新）', department: [2] });
    expect(await added.json()).toMatchObject({
      change: { changeType: 'create_user', fields: { UserID: active, Name: '张三（新）', Department: '2' } },
    });
    expect(await userGet(active)).toMatchObject({ errcode: 0, name: '张三（新）' });
  });

  it('answers errors as JSON with a status, changing nothing', async () => {
    expect(await (await post('/nobody/delete')).json()).toMatchObject({ error: 'not_found' });
    expect((await post('/nobody/delete')).status).toBe(404);
    expect((await post(`/${active}/enable`)).status).toBe(409);
    expect((await post(`/${active}/rename`, { newUserid: 'bad id' })).status).toBe(400);
    expect((await post(`/${active}/promote`)).status).toBe(404);
    expect((await post('', { userid: withEmail, name: 'x' })).status).toBe(409);
    const badJson = await fetch(api(`/${active}/disable`), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(badJson.status).toBe(400);
    expect(await userGet(active)).toMatchObject({ status: 1 });
  });

  it('refuses what a cross-site page could make a browser send', async () => {
    const form = await fetch(api(`/${active}/disable`), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'x=1',
    });
    expect(form.status).toBe(415);
    expect((await post(`/${active}/disable`, {}, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await post(`/${active}/disable`, {}, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect(await userGet(active)).toMatchObject({ status: 1 });
  });
});

describe('admin page', () => {
  async function openPage(path = '/directory?lang=en') {
    const response = await fetch(`${harness.base}${path}`);
    const cookie = response.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    return { response, html: await response.text(), cookie };
  }

  it('is labelled, strict (no script, forms only to itself) and linked from the other pages', async () => {
    const { response, html } = await openPage();
    expect(response.status).toBe(200);
    expect(html).toContain(SIMULATOR_LABEL);
    expect(html).toContain(active);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(html).not.toContain('<script');
    const landing = await (await fetch(`${harness.base}/`)).text();
    expect(landing).toContain(`href="${harness.basePath}/directory?lang=`);
    const qr = await (
      await fetch(
        `${harness.base}/wwlogin/sso/login?login_type=CorpApp&appid=wwsimulatortest0001&agentid=1000002&redirect_uri=${encodeURIComponent('http://localhost:3000/cb')}&state=s`,
      )
    ).text();
    expect(qr).toContain(`${harness.basePath}/directory?lang=`);
  });

  it('sets its CSRF cookie SameSite=Strict and HttpOnly, scoped to the page', async () => {
    const { response } = await openPage();
    const cookie = response.headers.getSetCookie().find((line) => line.startsWith('wwsim_csrf='));
    expect(cookie).toMatch(/samesite=strict/i);
    expect(cookie).toMatch(/httponly/i);
    expect(cookie).toContain(`path=${harness.basePath}/directory`);
  });

  it('each form makes its change and the page says so', async () => {
    const { html, cookie } = await openPage();
    const forms = formsOf(html);
    const deleteForm = forms.find((form) => form.action.endsWith('/directory/delete') && form.fields.userid === withEmail)!;
    const response = await submit(harness, deleteForm, { cookie });
    expect(response.status).toBe(303);
    const location = response.headers.get('location')!;
    expect((await userGet(withEmail)).errcode).toBe(60111);
    const after = await (await fetch(`${harness.origin}${location}`, { headers: { cookie } })).text();
    expect(after).toContain(`${withEmail} deleted`);
    expect(await (await fetch(`${harness.base}/directory?lang=en&notice=constructor&userid=x`)).text()).not.toContain('class="notice"');
    // The deleted member keeps a row but has no buttons; the userid can be given to a new person.
    expect(formsOf(after).some((form) => form.fields.userid === withEmail && !form.action.endsWith('/add'))).toBe(false);
    const add = formsOf(after).find((form) => form.action.endsWith('/directory/add'))!;
    expect((await submit(harness, { ...add, fields: { ...add.fields, userid: withEmail, name: '新李四' } }, { cookie })).status).toBe(303);
    expect(await userGet(withEmail)).toMatchObject({ errcode: 0, name: '新李四' });

    const rename = formsOf(after).find((form) => form.action.endsWith('/directory/rename') && form.fields.userid === active)!;
    expect((await submit(harness, { ...rename, fields: { ...rename.fields, newUserid: 'zhangsan3' } }, { cookie })).status).toBe(303);
    expect(await userGet('zhangsan3')).toMatchObject({ errcode: 0, name: '张三' });
    const outOfScope = formsOf(after).find((form) => form.action.endsWith('/directory/move-into-scope') && form.fields.userid === outsideScope)!;
    expect((await submit(harness, outOfScope, { cookie })).status).toBe(303);
    expect((await userGet(outsideScope)).errcode).toBe(0);
  });

  it('a refused change shows the reason and changes nothing', async () => {
    const { html, cookie } = await openPage();
    const rename = formsOf(html).find((form) => form.action.endsWith('/directory/rename') && form.fields.userid === active)!;
    const response = await submit(harness, { ...rename, fields: { ...rename.fields, newUserid: withEmail } }, { cookie });
    expect(response.status).toBe(409);
    expect(await response.text()).toContain(`${withEmail} is taken`);
    expect((await userGet(active)).errcode).toBe(0);
  });

  it('refuses a form without the cookie, with another token, or from another site', async () => {
    const { html, cookie } = await openPage();
    const disable = formsOf(html).find((form) => form.action.endsWith('/directory/disable') && form.fields.userid === active)!;
    expect((await submit(harness, disable)).status).toBe(403);
    expect((await submit(harness, { ...disable, fields: { ...disable.fields, csrf: 'A'.repeat(32) } }, { cookie })).status).toBe(403);
    expect((await submit(harness, disable, { cookie, origin: 'http://evil.example' })).status).toBe(403);
    const refused = await submit(harness, disable, { cookie, 'sec-fetch-site': 'cross-site' });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('CSRF');
    expect(await userGet(active)).toMatchObject({ status: 1 });
    expect((await submit(harness, disable, { cookie, origin: harness.origin })).status).toBe(303);
    expect(await userGet(active)).toMatchObject({ status: 2 });
  });
});
