/**
 * Every sentence the simulator's pages show, in WeCom's two UI languages. Plain text only: the
 * templates escape it on output.
 */
import type { Lang } from './login-params.js';

export interface Copy {
  qrTitle: string;
  panelTitle: string;
  panelHint: string;
  qrAlt: string;
  qrHint: string;
  appLine(corpId: string, agentId: string): string;
  returnLine(host: string): string;
  scanAs(name: string, id: string, note: string): string;
  cancel: string;
  pickTitle: string;
  pickHint: string;
  signInAs(name: string, userid: string, note: string): string;
  consentTitle: string;
  consentText(agentId: string): string;
  signedInAs(name: string, userid: string): string;
  accept: string;
  decline: string;
  switchMember: string;
  errorTitle: string;
  indexTitle: string;
  indexIntro: string;
  indexApps: string;
  indexDirectory: string;
  legacyApp: string;
  directoryLink: string;
  directoryTitle: string;
  directoryIntro: string;
  directoryTargets: string;
  directoryNoTargets: string;
  columns: { name: string; userid: string; status: string; scope: string; actions: string; note: string };
  statusLabel(status: number): string;
  inScope: string;
  outOfScope: string;
  deleted: string;
  disable: string;
  enable: string;
  moveOut: string;
  moveIn: string;
  remove: string;
  rename: string;
  newUserid: string;
  addTitle: string;
  addHint: string;
  add: string;
  nameField: string;
  deliveriesTitle: string;
  deliveriesNone: string;
  deliveryColumns: { connection: string; change: string; userid: string; outcome: string; attempts: string };
  notice(action: string, userid: string): string | undefined;
  forbidden: string;
}

/** An own entry only: a key such as `constructor` from a query string finds nothing. */
const pick = (table: Record<string, string>, key: string): string | undefined => (Object.hasOwn(table, key) ? table[key] : undefined);

const zh: Copy = {
  qrTitle: '企业微信登录（模拟）',
  panelTitle: '企业微信扫码登录',
  panelHint: '模拟器：无需扫码，点选要扮演的人（✓ 可登录）',
  qrAlt: '模拟二维码（不可扫描）',
  qrHint: '这是模拟器：无需手机扫码，直接选择要扮演的人。',
  appLine: (corpId, agentId) => `企业 ${corpId} · 应用 ${agentId}`,
  returnLine: (host) => `登录后将返回 ${host}`,
  scanAs: (name, id, note) => `以 ${name}（${id}）身份扫码 — ${note}`,
  cancel: '取消登录（返回时不带 code）',
  pickTitle: '模拟企业微信客户端：当前登录的是谁？',
  pickHint: '网页在企业微信内打开时，客户端已登录某位成员。只有企业成员能登录客户端。',
  signInAs: (name, userid, note) => `以 ${name}（${userid}）登录客户端 — ${note}`,
  consentTitle: '授权确认（模拟）',
  consentText: (agentId) => `应用 ${agentId} 申请获取你的敏感信息：性别、头像、个人二维码、手机、邮箱、企业邮箱、地址。`,
  signedInAs: (name, userid) => `当前客户端成员：${name}（${userid}）`,
  accept: '允许',
  decline: '拒绝',
  switchMember: '切换客户端成员',
  errorTitle: '请求无效',
  indexTitle: '企业微信模拟器',
  indexIntro: '本服务器内置的企业微信替身，供开发和测试使用；它从不连接真实的企业微信。',
  indexApps: '托管的应用',
  indexDirectory: '演示通讯录',
  legacyApp: '（2022-06-20 前创建：读取成员含联系方式）',
  directoryLink: '通讯录管理（模拟管理后台）',
  directoryTitle: '通讯录管理（模拟企业微信管理后台）',
  directoryIntro:
    '在这里禁用、删除、移出可见范围、修改 userid 或新增成员。改动立即体现在模拟器的接口（读取成员）中，并像企业微信一样把加密签名的成员变更回调发送到配置了 events 的连接。',
  directoryTargets: '成员变更回调发送到：',
  directoryNoTargets: '没有连接配置 events：改动只影响接口的返回，不发送回调。',
  columns: { name: '姓名', userid: 'userid', status: '状态', scope: '可见范围', actions: '操作', note: '说明' },
  statusLabel: (status) => ({ 1: '1 已激活', 2: '2 已禁用', 4: '4 未激活', 5: '5 已退出' })[status] ?? String(status),
  inScope: '范围内',
  outOfScope: '范围外（60011）',
  deleted: '已删除（60111）',
  disable: '禁用',
  enable: '启用',
  moveOut: '移出可见范围',
  moveIn: '移回可见范围',
  remove: '删除',
  rename: '修改 userid',
  newUserid: '新 userid',
  addTitle: '新增成员',
  addHint: '可以使用已删除成员的 userid：这是一位新的员工，不是原来那位。',
  add: '新增',
  nameField: '姓名',
  deliveriesTitle: '最近的回调',
  deliveriesNone: '还没有发送回调。',
  deliveryColumns: { connection: '连接', change: '变更', userid: 'userid', outcome: '结果', attempts: '各次尝试' },
  notice: (action, userid) =>
    pick(
      {
        disable: `已禁用 ${userid}`,
        enable: `已启用 ${userid}`,
        delete: `已删除 ${userid}`,
        'move-out-of-scope': `已将 ${userid} 移出可见范围`,
        'move-into-scope': `已将 ${userid} 移回可见范围`,
        rename: `userid 已改为 ${userid}`,
        add: `已新增 ${userid}`,
      },
      action,
    ),
  forbidden: '表单已失效（缺少或错误的 CSRF 令牌，或来自其他网站）：请重新打开本页再操作。',
};

const en: Copy = {
  qrTitle: 'Sign in with WeCom (simulated)',
  panelTitle: 'Scan with WeCom',
  panelHint: 'Simulator: no scan needed, pick who to play (✓ signs in)',
  qrAlt: 'simulated QR code (not scannable)',
  qrHint: 'This is the simulator: no phone needed, pick the person to play instead of scanning.',
  appLine: (corpId, agentId) => `corp ${corpId} · app ${agentId}`,
  returnLine: (host) => `after sign-in you return to ${host}`,
  scanAs: (name, id, note) => `Scan as ${name} (${id}) — ${note}`,
  cancel: 'Cancel (returns without a code)',
  pickTitle: 'Simulated WeCom client: who is signed in?',
  pickHint: 'A page opened inside WeCom runs in a client where a member is signed in. Only members can sign in.',
  signInAs: (name, userid, note) => `Sign the client in as ${name} (${userid}) — ${note}`,
  consentTitle: 'Consent (simulated)',
  consentText: (agentId) => `App ${agentId} asks for your sensitive fields: gender, avatar, personal QR code, mobile, email, biz_mail, address.`,
  signedInAs: (name, userid) => `Client signed in as ${name} (${userid})`,
  accept: 'Allow',
  decline: 'Decline',
  switchMember: 'Switch client member',
  errorTitle: 'Invalid request',
  indexTitle: 'WeCom simulator',
  indexIntro: 'A stand-in for WeCom built into this server, for development and tests; it never talks to the real WeCom.',
  indexApps: 'Hosted apps',
  indexDirectory: 'Demo directory',
  legacyApp: '(created before 2022-06-20: user/get includes contact fields)',
  directoryLink: 'Directory admin (simulated admin console)',
  directoryTitle: 'Directory admin (simulated WeCom admin console)',
  directoryIntro:
    "Disable, delete, move out of the apps' visible scope, rename or add members here. A change shows at once in the simulator's API (user/get) and, as WeCom does, is called back, signed and encrypted, to every connection with events configured.",
  directoryTargets: 'Member changes are called back to:',
  directoryNoTargets: 'No connection has events configured: changes only change what the API answers; no callback is sent.',
  columns: { name: 'name', userid: 'userid', status: 'status', scope: 'visible scope', actions: 'actions', note: 'note' },
  statusLabel: (status) => ({ 1: '1 active', 2: '2 disabled', 4: '4 not activated', 5: '5 left' })[status] ?? String(status),
  inScope: 'inside',
  outOfScope: 'outside (60011)',
  deleted: 'deleted (60111)',
  disable: 'Disable',
  enable: 'Enable',
  moveOut: 'Move out of scope',
  moveIn: 'Move back into scope',
  remove: 'Delete',
  rename: 'Change userid',
  newUserid: 'new userid',
  addTitle: 'Add a member',
  addHint: "A deleted member's userid may be given again: that is a new person, not the one who left.",
  add: 'Add',
  nameField: 'name',
  deliveriesTitle: 'Recent callbacks',
  deliveriesNone: 'No callback sent yet.',
  deliveryColumns: { connection: 'connection', change: 'change', userid: 'userid', outcome: 'outcome', attempts: 'attempts' },
  notice: (action, userid) =>
    pick(
      {
        disable: `${userid} disabled`,
        enable: `${userid} enabled`,
        delete: `${userid} deleted`,
        'move-out-of-scope': `${userid} moved out of the visible scope`,
        'move-into-scope': `${userid} moved back into the visible scope`,
        rename: `userid changed to ${userid}`,
        add: `${userid} added`,
      },
      action,
    ),
  forbidden: 'This form has expired (a missing or wrong CSRF token, or it came from another site): open this page again and retry.',
};

export const COPY: Record<Lang, Copy> = { zh, en };
