/**
 * In-client OAuth, as `open.weixin.qq.com/connect/oauth2/authorize` (91022): the page is opened inside
 * the WeCom app, where a member is already signed in. The simulator keeps "who is signed into the
 * client" in a path-scoped cookie and asks once when it is missing; only members can sign in.
 *
 * - `snsapi_base`: silent, straight back with a code (even for members outside the visible scope).
 * - `snsapi_privateinfo` with `agentid`: a consent page; on accept the code also yields a user_ticket.
 *   Members outside the visible scope get an error page, as WeCom documents. Without `agentid` the
 *   scope is silently downgraded to base.
 * - `state` may only be `[a-zA-Z0-9]`, ≤128 bytes (84025 otherwise).
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { SimulatorApp } from '../config/schema.js';
import { IN_CLIENT_STATE, MEMBER_COOKIE } from './constants.js';
import { formBody, formFields, type SimulatorDeps } from './deps.js';
import type { DemoMember } from './directory.js';
import {
  type Checked,
  type Lang,
  type Problem,
  callbackUrl,
  checkApp,
  checkCorp,
  checkRedirectUri,
  pickLang,
  problem,
  single,
} from './login-params.js';
import { redirectTo, sendHtml } from './respond.js';
import type { HiddenField } from './views.js';

const SCOPES = ['snsapi_base', 'snsapi_privateinfo'] as const;
type Scope = (typeof SCOPES)[number];

interface InClientLogin {
  corpId: string;
  /** The app named by `agentid`, when given: codes are then bound to it. */
  app: SimulatorApp | undefined;
  redirectUri: URL;
  state: string;
  /** The scope in effect: privateinfo without agentid has already been downgraded to base. */
  scope: Scope;
  hidden: HiddenField[];
}

function checkInClient(source: Record<string, unknown>, deps: SimulatorDeps): Checked<InClientLogin> {
  const corp = checkCorp(deps.apps, single(source.appid));
  if (!corp.ok) return corp;
  const rawRedirectUri = single(source.redirect_uri);
  const redirectUri = checkRedirectUri(rawRedirectUri, deps.trustedDomain);
  if (!redirectUri.ok) return redirectUri;
  const responseType = single(source.response_type);
  if (responseType !== 'code') {
    return problem(`response_type 必须为 code，收到：${responseType ?? '（空）'}`, `response_type must be code, got: ${responseType ?? '(empty)'}`);
  }
  const requestedScope = single(source.scope);
  const scope = SCOPES.find((known) => known === requestedScope);
  if (!scope) {
    return problem(`不支持的 scope：${requestedScope ?? '（空）'}`, `unsupported scope: ${requestedScope ?? '(empty)'}`);
  }
  const state = single(source.state) ?? '';
  if (!IN_CLIENT_STATE.test(state)) {
    return problem('state 只能是 a-zA-Z0-9，且不超过 128 字节', 'state may only contain a-zA-Z0-9, at most 128 bytes', 84025);
  }
  const agentid = single(source.agentid);
  let app: SimulatorApp | undefined;
  if (agentid) {
    const checked = checkApp(deps.apps, corp.value, agentid);
    if (!checked.ok) return checked;
    app = checked.value;
  }
  const hidden: HiddenField[] = [
    { name: 'appid', value: corp.value },
    { name: 'redirect_uri', value: rawRedirectUri ?? '' },
    { name: 'response_type', value: 'code' },
    { name: 'scope', value: scope },
    { name: 'state', value: state },
    ...(agentid ? [{ name: 'agentid', value: agentid }] : []),
  ];
  const effectiveScope: Scope = scope === 'snsapi_privateinfo' && app ? 'snsapi_privateinfo' : 'snsapi_base';
  return { ok: true, value: { corpId: corp.value, app, redirectUri: redirectUri.value, state, scope: effectiveScope, hidden } };
}

export function registerInClientRoutes(router: Router, deps: SimulatorDeps): void {
  const { views, credentials, csp, basePath, log, directory } = deps;
  const authorizePath = `${basePath}/connect/oauth2/authorize`;
  const signInAction = `${basePath}/connect/oauth2/sign-in`;
  const signOutAction = `${basePath}/connect/oauth2/sign-out`;
  const consentAction = `${basePath}/connect/oauth2/consent`;
  const cookiePath = basePath || '/';

  const langOf = (ctx: Context): Lang => pickLang(undefined, ctx.get('accept-language'));
  const showError = (ctx: Context, failure: { problem: Problem }) => sendHtml(ctx, views.error(failure.problem, langOf(ctx)), csp, 400);
  const signedInMember = (ctx: Context): DemoMember | undefined => {
    const userid = ctx.cookies.get(MEMBER_COOKIE, { signed: false });
    return userid ? directory.find(userid) : undefined;
  };
  const backToAuthorize = (ctx: Context, login: InClientLogin) =>
    redirectTo(
      ctx,
      `${authorizePath}?${new URLSearchParams(login.hidden.map((field): [string, string] => [field.name, field.value])).toString()}`,
      303,
    );

  const issue = (ctx: Context, login: InClientLogin, member: DemoMember, withUserTicket: boolean) => {
    const code = credentials.issueCode({
      corpId: login.corpId,
      agentId: login.app?.agentId,
      identity: { kind: 'member', userid: member.userid },
      withUserTicket,
    });
    log.debug('simulator in-client login', { corpId: login.corpId, agentId: login.app?.agentId, scope: login.scope });
    redirectTo(ctx, callbackUrl(login.redirectUri, { code, state: login.state }));
  };

  router.get('/connect/oauth2/authorize', (ctx) => {
    const checked = checkInClient(ctx.query, deps);
    if (!checked.ok) return showError(ctx, checked);
    const login = checked.value;
    const member = signedInMember(ctx);
    if (!member) {
      return sendHtml(ctx, views.memberPicker({ lang: langOf(ctx), members: directory.list(), hidden: login.hidden, action: signInAction }), csp);
    }
    if (login.scope === 'snsapi_base') return issue(ctx, login, member, false);
    if (!member.visible) {
      return showError(ctx, problem('成员不在应用的可见范围内', "the member is outside the app's visible scope", 60011));
    }
    const html = views.consent({
      lang: langOf(ctx),
      hidden: login.hidden,
      agentId: login.app?.agentId ?? '',
      member,
      action: consentAction,
      switchAction: signOutAction,
    });
    sendHtml(ctx, html, csp);
  });

  router.post('/connect/oauth2/sign-in', formBody, (ctx) => {
    const body = formFields(ctx);
    const checked = checkInClient(body, deps);
    if (!checked.ok) return showError(ctx, checked);
    const member = directory.find(single(body.userid) ?? '');
    if (!member) return showError(ctx, problem('只有企业成员能登录企业微信客户端', 'only members can sign into the WeCom client'));
    ctx.cookies.set(MEMBER_COOKIE, member.userid, { path: cookiePath, sameSite: 'lax', httpOnly: true, signed: false, overwrite: true });
    backToAuthorize(ctx, checked.value);
  });

  router.post('/connect/oauth2/sign-out', formBody, (ctx) => {
    const checked = checkInClient(formFields(ctx), deps);
    if (!checked.ok) return showError(ctx, checked);
    ctx.cookies.set(MEMBER_COOKIE, null, { path: cookiePath, sameSite: 'lax', httpOnly: true, signed: false, overwrite: true });
    backToAuthorize(ctx, checked.value);
  });

  router.post('/connect/oauth2/consent', formBody, (ctx) => {
    const body = formFields(ctx);
    const checked = checkInClient(body, deps);
    if (!checked.ok) return showError(ctx, checked);
    const login = checked.value;
    const member = signedInMember(ctx);
    if (!member) return backToAuthorize(ctx, login);
    if (login.scope !== 'snsapi_privateinfo') return showError(ctx, problem('该请求无需授权确认', 'this request needs no consent'));
    if (!member.visible) {
      return showError(ctx, problem('成员不在应用的可见范围内', "the member is outside the app's visible scope", 60011));
    }
    if (single(body.decision) !== 'accept') {
      return redirectTo(ctx, callbackUrl(login.redirectUri, { state: login.state }));
    }
    issue(ctx, login, member, true);
  });
}
