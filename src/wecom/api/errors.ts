/**
 * Every WeCom errcode we know, what it means for an administrator, and how the client reacts to it.
 *
 * This is the one table of WeCom error facts (STYLE: one place per fact). Callers branch on
 * `errcode`, `category` or `retry`, never on message text: WeCom's own `errmsg` changes wording and
 * carries `hint: [...]` / `from ip: ...` noise, so it is parsed for those two facts and otherwise
 * dropped. Our messages are written for the person who can fix the problem (the WeCom admin or
 * whoever runs this server), not for the end user.
 */
import { isIP } from 'node:net';
import type { Lang } from '../../model/index.js';

export type WeComErrorCategory = 'busy' | 'configuration' | 'token' | 'login' | 'member' | 'rate_limit' | 'unknown';

/**
 * How the client reacts. Kept separate from `category` because the reaction is a per-code decision:
 * 41001 is a token-category code but refreshing would not cure a request that forgot the token.
 */
export type WeComRetryPolicy =
  /** -1: WeCom is busy; try again after a short pause, a bounded number of times. */
  | 'backoff'
  /** 40014/42001: our cached token is dead; drop it, fetch a new one, retry once. */
  | 'refresh_token'
  /** Everything else. Retrying bad secrets gets our IP blocked for an hour, so "no" is the default. */
  | 'never';

/** Facts about the failed call that help an admin act; only what we parsed and validated. */
export interface WeComErrorContext {
  /** Our egress IP as WeCom saw it (from `from ip: x.x.x.x`), for the trusted-IP list. */
  fromIp?: string;
}

type Message = (context: WeComErrorContext) => string;

/**
 * What an answer tells us beyond "it failed", for the code that acts on it (the sign-in, the member
 * re-check, the groups claim), so that no caller tests an errcode number.
 */
export type WeComAnswerMeaning =
  /** The login code was used already or is older than 5 minutes. */
  | 'login_code_spent'
  /** The member (or department) is outside the app's visible scope. */
  | 'out_of_scope'
  /** No such member: they left, or never existed; a later member may get the same userid. */
  | 'member_not_found'
  /** No such department. */
  | 'department_not_found';

export interface WeComErrcodeEntry {
  readonly category: WeComErrorCategory;
  readonly retry: WeComRetryPolicy;
  readonly means?: WeComAnswerMeaning;
  /**
   * From `gettoken`, this answer means our credentials or our IP are wrong (or we asked too often):
   * asking again at once only gets the IP blocked, so the gettoken breaker stops asking for a while.
   */
  readonly opensBreaker?: true;
  readonly messages: Readonly<Record<Lang, Message>>;
}

const ipOr = (context: WeComErrorContext, fallback: string) => context.fromIp ?? fallback;

/** Keyed by errcode. Source: WeCom's global error codes (developer.work.weixin.qq.com/document/path/90313). */
export const WECOM_ERRCODES: Readonly<Record<number, WeComErrcodeEntry>> = Object.freeze({
  [-1]: {
    category: 'busy',
    retry: 'backoff',
    messages: {
      en: () => 'WeCom is busy (system error). This is usually temporary: try again in a moment.',
      'zh-CN': () => '企业微信系统繁忙，通常是暂时的，请稍后重试。',
    },
  },
  40001: {
    category: 'configuration',
    retry: 'never',
    opensBreaker: true,
    messages: {
      en: () =>
        "WeCom rejected the app secret. Check the connection's secret against the app's Secret in WeCom admin " +
        '(App Management → the app → Secret); it changes when someone resets it. Repeated attempts with a wrong ' +
        "secret get this server's IP blocked for an hour.",
      'zh-CN': () =>
        '企业微信拒绝了应用 Secret。请核对连接配置中的 secret 与企业微信管理后台（应用管理 → 该应用 → Secret）是否一致；' +
        '有人重置 Secret 后旧值即失效。用错误的 Secret 反复请求会导致本服务器 IP 被封禁一小时。',
    },
  },
  40013: {
    category: 'configuration',
    retry: 'never',
    opensBreaker: true,
    messages: {
      en: () => "WeCom does not know this Corp ID. Copy the Corp ID from WeCom admin (My Company → Company Info → Corp ID, starts with 'ww').",
      'zh-CN': () => '企业微信不认识此 CorpID。请从企业微信管理后台（我的企业 → 企业信息 → 企业ID，以 ww 开头）复制正确的值。',
    },
  },
  40091: {
    category: 'configuration',
    retry: 'never',
    opensBreaker: true,
    messages: {
      en: () =>
        "WeCom says the secret is malformed. Paste the app's Secret again from WeCom admin (App Management → the app → Secret), without spaces or quotes.",
      'zh-CN': () => '企业微信认为 Secret 格式不合法。请从企业微信管理后台（应用管理 → 该应用 → Secret）重新复制，注意不要带空格或引号。',
    },
  },
  40014: {
    category: 'token',
    retry: 'refresh_token',
    messages: {
      en: () =>
        'WeCom rejected our access_token as invalid (for example after the secret was reset). A fresh token is fetched automatically; if this persists, check the secret.',
      'zh-CN': () => '企业微信认为 access_token 无效（例如 Secret 被重置后）。系统会自动重新获取；若持续出现，请检查 Secret。',
    },
  },
  41001: {
    category: 'token',
    retry: 'never',
    messages: {
      en: () => 'The request to WeCom carried no access_token. This is a bug in this server: please report it.',
      'zh-CN': () => '发往企业微信的请求缺少 access_token，这是本服务的缺陷，请报告。',
    },
  },
  41008: {
    category: 'login',
    retry: 'never',
    messages: {
      en: () => 'The login result carried no code, so the sign-in cannot be completed. Start the sign-in again.',
      'zh-CN': () => '登录结果中缺少 code，无法完成登录，请重新发起登录。',
    },
  },
  41009: {
    category: 'member',
    retry: 'never',
    messages: {
      en: () => 'The request to WeCom carried no userid. This is a bug in this server: please report it.',
      'zh-CN': () => '发往企业微信的请求缺少 userid，这是本服务的缺陷，请报告。',
    },
  },
  42001: {
    category: 'token',
    retry: 'refresh_token',
    messages: {
      en: () => 'Our access_token expired. A fresh token is fetched automatically; if this persists, check the server clock.',
      'zh-CN': () => 'access_token 已过期，系统会自动重新获取；若持续出现，请检查服务器时钟。',
    },
  },
  40029: {
    category: 'login',
    retry: 'never',
    means: 'login_code_spent',
    messages: {
      en: () => 'The WeCom login code is invalid: it was already used or is older than 5 minutes. The user should start the sign-in again.',
      'zh-CN': () => '企业微信登录 code 无效：已被使用或已超过 5 分钟。请用户重新发起登录。',
    },
  },
  45009: {
    category: 'rate_limit',
    retry: 'never',
    opensBreaker: true,
    messages: {
      en: () =>
        'WeCom API call frequency limit reached. Calls are too frequent (is the access_token cached? are several servers sharing one corp?); wait and reduce the call rate.',
      'zh-CN': () => '已达到企业微信接口调用频率上限。调用过于频繁（access_token 是否已缓存？是否多台服务器共用同一企业？），请稍候并降低调用频率。',
    },
  },
  45033: {
    category: 'rate_limit',
    retry: 'never',
    messages: {
      en: () => 'WeCom API concurrency limit reached: too many calls at the same time. Wait and reduce concurrency.',
      'zh-CN': () => '已达到企业微信接口并发上限：同时调用过多，请稍候并降低并发。',
    },
  },
  48002: {
    category: 'configuration',
    retry: 'never',
    messages: {
      en: () =>
        "This app is not allowed to call this WeCom API. In WeCom admin, check the app's permissions (App Management → the app → API permissions / visible scope).",
      'zh-CN': () => '此应用无权调用该企业微信接口。请在企业微信管理后台检查应用权限（应用管理 → 该应用 → 接口权限 / 可见范围）。',
    },
  },
  50001: {
    category: 'configuration',
    retry: 'never',
    messages: {
      en: () =>
        "WeCom refused: the redirect domain is not the app's trusted domain, or the login code was issued for another app. " +
        "Set the app's OAuth callback domain (App Management → the app → Web Authorization and JS-SDK → trusted domain) to this server's host, " +
        'and make sure the connection uses the same Corp ID/AgentId/Secret as the login page.',
      'zh-CN': () =>
        '企业微信拒绝：回调域名不是应用的可信域名，或登录 code 来自另一个应用。请在企业微信管理后台（应用管理 → 该应用 → 网页授权及JS-SDK → 可信域名 / 授权回调域）' +
        '设置为本服务器的域名，并确认连接配置与登录页使用同一组 CorpID/AgentId/Secret。',
    },
  },
  60011: {
    category: 'member',
    retry: 'never',
    means: 'out_of_scope',
    messages: {
      en: () =>
        "The app may not read this member: they are outside the app's visible scope. Add the member (or their department) to the app's visible scope in WeCom admin (App Management → the app → Visible to).",
      'zh-CN': () => '应用无权读取此成员：成员不在应用的可见范围内。请在企业微信管理后台（应用管理 → 该应用 → 可见范围）添加该成员或其部门。',
    },
  },
  60111: {
    category: 'member',
    retry: 'never',
    means: 'member_not_found',
    messages: {
      en: () => "WeCom has no such member (userid not found): they may have left the company or be outside the app's visible scope.",
      'zh-CN': () => '企业微信中找不到此成员（userid 不存在）：可能已离职，或不在应用可见范围内。',
    },
  },
  60020: {
    category: 'configuration',
    retry: 'never',
    opensBreaker: true,
    messages: {
      en: (context) =>
        `WeCom refused a call from an untrusted IP. Add IP ${ipOr(context, "(this server's public IP)")} to the app's trusted IPs in WeCom admin (App Management → the app → Trusted corporate IP).`,
      'zh-CN': (context) =>
        `企业微信拒绝了来自非可信 IP 的调用。请在企业微信管理后台将 IP ${ipOr(context, '（本服务器的公网 IP）')} 加入应用的可信 IP（应用管理 → 该应用 → 企业可信IP）。`,
    },
  },
  60123: {
    category: 'member',
    retry: 'never',
    means: 'department_not_found',
    messages: {
      en: () => 'WeCom has no such department (invalid department id): it may have been deleted or merged.',
      'zh-CN': () => '企业微信中找不到此部门（部门 ID 无效）：可能已被删除或合并。',
    },
  },
  301002: {
    category: 'configuration',
    retry: 'never',
    messages: {
      en: () =>
        "The access_token belongs to another app. Each connection must use its own app's AgentId and Secret; check that they belong to the same app in WeCom admin.",
      'zh-CN': () => 'access_token 属于另一个应用。每个连接必须使用同一应用的 AgentId 与 Secret，请在企业微信管理后台核对。',
    },
  },
});

/** For codes WeCom may add later: say what we know (the number) and where to look it up. */
export const UNKNOWN_ERRCODE: WeComErrcodeEntry = Object.freeze({
  category: 'unknown',
  retry: 'never',
  messages: {
    en: () =>
      'WeCom answered with an error code this server does not know. Look the errcode up in the WeCom global error code list (developer.work.weixin.qq.com, document 90313).',
    'zh-CN': () => '企业微信返回了本服务未知的错误码，请在企业微信全局错误码文档（developer.work.weixin.qq.com，文档 90313）中查询。',
  },
});

export function errcodeEntry(errcode: number): WeComErrcodeEntry {
  return Object.hasOwn(WECOM_ERRCODES, errcode) ? (WECOM_ERRCODES[errcode] as WeComErrcodeEntry) : UNKNOWN_ERRCODE;
}

/**
 * Pulls our egress IP out of errmsg ("… from ip: 1.2.3.4, …"). Validated with `isIP` so that nothing
 * but an address from WeCom's free text ever reaches an admin page or a log line.
 */
export function parseFromIp(errmsg: string | undefined): string | undefined {
  const match = /from ip:\s*([0-9A-Fa-f.:]+)/.exec(errmsg ?? '');
  const ip = match?.[1]?.replace(/[.:]+$/, '');
  return ip && isIP(ip) ? ip : undefined;
}

/** WeCom's request id (`hint: [abc123]`): what WeCom support asks for. Restricted to a safe alphabet. */
export function parseHint(errmsg: string | undefined): string | undefined {
  return /hint:\s*\[([A-Za-z0-9_-]{1,64})\]/.exec(errmsg ?? '')?.[1];
}

/** WeCom answered, and the answer was an error (errcode ≠ 0). */
export class WeComError extends Error {
  readonly errcode: number;
  readonly category: WeComErrorCategory;
  readonly retry: WeComRetryPolicy;
  readonly means?: WeComAnswerMeaning;
  readonly opensBreaker: boolean;
  /** Which WeCom API answered, e.g. 'gettoken', 'auth/getuserinfo'. */
  readonly api: string;
  readonly fromIp?: string;
  /** WeCom's request id, to quote in a support ticket. */
  readonly hint?: string;

  /** `errmsg` is read for `from ip` and `hint` only and is not kept. */
  constructor(errcode: number, api: string, errmsg?: string) {
    const entry = errcodeEntry(errcode);
    const fromIp = parseFromIp(errmsg);
    super(`${api}: ${entry.messages.en({ fromIp })} (errcode ${errcode})`);
    this.name = 'WeComError';
    this.errcode = errcode;
    this.category = entry.category;
    this.retry = entry.retry;
    if (entry.means) this.means = entry.means;
    this.opensBreaker = entry.opensBreaker === true;
    this.api = api;
    if (fromIp) this.fromIp = fromIp;
    const hint = parseHint(errmsg);
    if (hint) this.hint = hint;
  }

  /** The admin-facing explanation in the requested language, with the errcode for searching. */
  describe(lang: Lang): string {
    const text = errcodeEntry(this.errcode).messages[lang]({ fromIp: this.fromIp });
    return lang === 'zh-CN' ? `${text}（错误码 ${this.errcode}）` : `${text} (errcode ${this.errcode})`;
  }
}

export type WeComTransportReason = 'timeout' | 'network' | 'tls' | 'http_status' | 'invalid_response';

const TRANSPORT_MESSAGES: Record<WeComTransportReason, Record<Lang, string>> = {
  timeout: {
    en: 'WeCom did not answer in time. Check that this server can reach the WeCom API (firewall, proxy, DNS) and that wecom.timeoutMs, connectTimeoutMs and responseTimeoutMs are not too small.',
    'zh-CN':
      '企业微信未在限定时间内响应。请检查本服务器能否访问企业微信 API（防火墙、代理、DNS），以及 wecom.timeoutMs、connectTimeoutMs、responseTimeoutMs 是否过小。',
  },
  network: {
    en: 'Could not connect to the WeCom API. Check network access from this server to wecom.apiBase (firewall, proxy, DNS).',
    'zh-CN': '无法连接企业微信 API。请检查本服务器到 wecom.apiBase 的网络（防火墙、代理、DNS）。',
  },
  tls: {
    en: "The WeCom API's TLS certificate was rejected. Check wecom.apiBase and any TLS-intercepting proxy.",
    'zh-CN': '企业微信 API 的 TLS 证书校验失败。请检查 wecom.apiBase 以及是否有拦截 TLS 的代理。',
  },
  http_status: {
    en: 'The WeCom API answered with an unexpected HTTP status. Check wecom.apiBase and any proxy in between.',
    'zh-CN': '企业微信 API 返回了异常的 HTTP 状态码。请检查 wecom.apiBase 及中间代理。',
  },
  invalid_response: {
    en: 'The WeCom API answered something that is not a WeCom answer. Check wecom.apiBase and any proxy in between.',
    'zh-CN': '企业微信 API 返回的内容不是有效的企业微信应答。请检查 wecom.apiBase 及中间代理。',
  },
};

/**
 * We never got a WeCom answer: timeout, connection failure, TLS failure, HTTP status other than 200,
 * or a body that is not a WeCom JSON object. The message is built only from the API name and fixed
 * words: the request URL's query carries `corpsecret` and `access_token`, and the libraries'
 * own messages quote that URL, so neither their message nor their `cause` is kept.
 */
export class WeComTransportError extends Error {
  readonly category = 'transport' as const;
  readonly api: string;
  readonly reason: WeComTransportReason;
  /** The HTTP status, for 'http_status'. */
  readonly status?: number;
  /**
   * True only when the request provably never reached WeCom (connection refused, name not
   * resolved, connect timed out): the one case where even a single-use login code may be sent again.
   */
  readonly notSent: boolean;

  constructor(api: string, reason: WeComTransportReason, detail: string, status?: number, notSent = false) {
    super(`${api}: ${detail}`);
    this.name = 'WeComTransportError';
    this.api = api;
    this.reason = reason;
    if (status !== undefined) this.status = status;
    this.notSent = notSent;
  }

  describe(lang: Lang): string {
    return TRANSPORT_MESSAGES[this.reason][lang];
  }
}

export function isWeComError(error: unknown): error is WeComError {
  return error instanceof WeComError;
}

export function isWeComTransportError(error: unknown): error is WeComTransportError {
  return error instanceof WeComTransportError;
}

/** Either failure from talking to WeCom; both carry `api`, a `category` and `describe(lang)`. */
export type WeComFailure = WeComError | WeComTransportError;

export function isWeComFailure(error: unknown): error is WeComFailure {
  return isWeComError(error) || isWeComTransportError(error);
}
