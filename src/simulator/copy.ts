/**
 * Every sentence the simulator's pages show, in WeCom's two UI languages. Plain text only: the
 * templates escape it on output.
 */
import type { Lang } from './login-params.js';

export interface Copy {
  qrTitle: string;
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
}

const zh: Copy = {
  qrTitle: '企业微信登录（模拟）',
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
  consentText: (agentId) =>
    `应用 ${agentId} 申请获取你的敏感信息：性别、头像、个人二维码、手机、邮箱、企业邮箱、地址。`,
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
};

const en: Copy = {
  qrTitle: 'Sign in with WeCom (simulated)',
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
  consentText: (agentId) =>
    `App ${agentId} asks for your sensitive fields: gender, avatar, personal QR code, mobile, email, biz_mail, address.`,
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
};

export const COPY: Record<Lang, Copy> = { zh, en };
