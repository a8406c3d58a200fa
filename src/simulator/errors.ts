/**
 * WeCom-style API errors. WeCom answers every failure with HTTP 200 and `{errcode, errmsg}`, where errmsg
 * is a short English text followed by a request hint, the caller's IP and a link to the errcode lookup
 * tool. Clients must decide on `errcode` alone; the simulator still mimics the text so that logs and
 * error pages look like the real thing (and so nobody is tempted to parse it).
 *
 * Texts are the ones WeCom sends where known from the field (40001, 40013, 40014, 41001, 41004,
 * 42001, 60011, 60020, 60111); the others follow the same style with the meaning from the global
 * errcode page (developer.work.weixin.qq.com/document/path/90313).
 */
import { randomBytes } from 'node:crypto';

const ERRMSG: Record<number, string | ((subject: string) => string)> = {
  [-1]: 'system busy',
  40001: 'invalid credential',
  40013: 'invalid corpid',
  40014: 'invalid access_token',
  40029: 'invalid code',
  40056: 'invalid agentid',
  41001: 'access_token missing',
  41002: 'corpid missing',
  41004: 'corpsecret missing',
  41008: 'missing code',
  41009: 'missing userid',
  42001: 'access_token expired',
  45009: 'api freq out of limit',
  45033: 'api concurrent out of limit',
  47001: 'data format error',
  48002: 'api forbidden',
  50001: 'redirect_url unauthorized',
  // WeCom really does put a space before the comma here.
  60011: 'no privilege to access/modify contact/party/agent ',
  60020: 'not allow to access from your ip',
  60111: (userid) => `invalid string value \`${userid}\`. userid not found`,
  60123: 'invalid party id',
  84014: 'user_ticket expired',
  84015: 'invalid user_ticket',
  84090: 'user_ticket missing',
  301002: 'not allow operate another agent with this accesstoken',
};

export type WeComErrorBody = { errcode: number; errmsg: string };

let hintSequence = 0;

/** Like WeCom's `hint: [1700000000_12_0123…]`: seconds, a sequence number, 32 hex digits. */
function hint(nowMs: number): string {
  hintSequence = (hintSequence + 1) % 1000;
  return `${Math.floor(nowMs / 1000)}_${hintSequence}_${randomBytes(16).toString('hex')}`;
}

export function errorBody(errcode: number, context: { callerIp: string; nowMs: number; subject?: string }): WeComErrorBody {
  const text = ERRMSG[errcode];
  const message = typeof text === 'function' ? text(context.subject ?? '') : (text ?? 'simulated error');
  return {
    errcode,
    errmsg:
      `${message}, hint: [${hint(context.nowMs)}], from ip: ${context.callerIp}, ` +
      `more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`,
  };
}

/** The outcome of one simulated API call: a success body, or an errcode to render WeCom-style. */
export type ApiOutcome = { ok: true; body: Record<string, unknown> } | { ok: false; errcode: number; subject?: string };

export const ok = (body: Record<string, unknown>): ApiOutcome => ({ ok: true, body: { errcode: 0, errmsg: 'ok', ...body } });
export const fail = (errcode: number, subject?: string): ApiOutcome => ({ ok: false, errcode, subject });
