/**
 * PC QR login, as `login.work.weixin.qq.com/wwlogin/sso/login` (98152). Instead of a phone scanning a
 * code, the page lists the demo people; picking one issues a code and returns the browser to
 * `redirect_uri?code=CODE&state=STATE`. Cancel returns `redirect_uri?state=STATE` with no code. Bad
 * parameters get an error page and never a redirect. The POSTs re-check everything the GET checked,
 * since the hidden fields come back from the browser.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { SimulatorApp } from '../config/schema.js';
import type { LoginIdentity } from './credentials.js';
import { formBody, formFields, type SimulatorDeps } from './deps.js';
import { DEMO_WECHAT_USER } from './directory.js';
import type { LiveDirectory } from './live-directory.js';
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
import { panelCsp, redirectTo, sendHtml } from './respond.js';
import type { HiddenField } from './views.js';
import { PANEL_SCRIPT } from './panel.js';

interface QrLogin {
  app: SimulatorApp;
  redirectUri: URL;
  state: string;
  lang: Lang;
  /** The original parameters, carried through the page's forms. */
  hidden: HiddenField[];
  /** Shown in WeCom's embedded panel: the result navigates the top window. */
  redirectTop: boolean;
}

function checkQrLogin(source: Record<string, unknown>, deps: SimulatorDeps, acceptLanguage: string): Checked<QrLogin> {
  const loginType = single(source.login_type);
  if (loginType !== 'CorpApp') {
    return problem(
      `login_type 必须为 CorpApp（模拟器只支持企业自建应用），收到：${loginType ?? '（空）'}`,
      `login_type must be CorpApp (the simulator hosts self-built apps only), got: ${loginType ?? '(empty)'}`,
    );
  }
  const corp = checkCorp(deps.apps, single(source.appid));
  if (!corp.ok) return corp;
  const app = checkApp(deps.apps, corp.value, single(source.agentid));
  if (!app.ok) return app;
  const rawRedirectUri = single(source.redirect_uri);
  const redirectUri = checkRedirectUri(rawRedirectUri, deps.trustedDomain);
  if (!redirectUri.ok) return redirectUri;
  const state = single(source.state) ?? '';
  const lang = pickLang(single(source.lang), acceptLanguage);
  // The JS SDK's embedded panel (98478) asks for redirect_type=top: the scan navigates the page
  // around the panel's iframe, not the iframe itself.
  const redirectTop = single(source.redirect_type) === 'top';
  const hidden: HiddenField[] = [
    { name: 'login_type', value: 'CorpApp' },
    { name: 'appid', value: app.value.corpId },
    { name: 'agentid', value: app.value.agentId },
    { name: 'redirect_uri', value: rawRedirectUri ?? '' },
    { name: 'state', value: state },
    { name: 'lang', value: lang },
    ...(redirectTop ? [{ name: 'redirect_type', value: 'top' }] : []),
  ];
  return { ok: true, value: { app: app.value, redirectUri: redirectUri.value, state, lang, hidden, redirectTop } };
}

/** The person picked on the page: a member by userid, or the demo personal-WeChat user by openid. */
function pickedIdentity(body: Record<string, unknown>, directory: LiveDirectory): LoginIdentity | undefined {
  const userid = single(body.userid);
  if (userid) {
    const member = directory.find(userid);
    return member ? { kind: 'member', userid: member.userid } : undefined;
  }
  return single(body.openid) === DEMO_WECHAT_USER.openid ? { kind: 'wechat', openid: DEMO_WECHAT_USER.openid } : undefined;
}

/** The redirect_uri's origin when its host is the trusted domain: the only page the panel may talk to. */
function trustedOrigin(redirectUri: string | undefined, trustedDomain: string): string | undefined {
  if (!redirectUri || !URL.canParse(redirectUri)) return undefined;
  const url = new URL(redirectUri);
  return url.host === trustedDomain ? url.origin : undefined;
}

export function registerQrLoginRoutes(router: Router, deps: SimulatorDeps): void {
  const { views, credentials, csp, basePath, log } = deps;
  const confirmAction = `${basePath}/wwlogin/sso/confirm`;
  const cancelAction = `${basePath}/wwlogin/sso/cancel`;

  const showError = (ctx: Context, failure: { problem: Problem }, lang: Lang) => sendHtml(ctx, views.error(failure.problem, lang), csp, 400);

  const panelScript = `${basePath}/wwlogin/sso/panel.js`;
  const inPanelCsp = panelCsp(csp);

  router.get('/wwlogin/sso/login', (ctx) => {
    const checked = checkQrLogin(ctx.query, deps, ctx.get('accept-language'));
    // WeCom's JS SDK adds `version` to the panel's URL: show the page as its embedded panel.
    const inPanel = single(ctx.query.version) !== undefined;
    if (!checked.ok) {
      const lang = pickLang(single(ctx.query.lang), ctx.get('accept-language'));
      if (!inPanel) return showError(ctx, checked, lang);
      const parentOrigin = trustedOrigin(single(ctx.query.redirect_uri), deps.trustedDomain);
      return sendHtml(ctx, views.panelError(checked.problem, lang, parentOrigin, panelScript), inPanelCsp, 400);
    }
    const { app, redirectUri, lang, hidden, redirectTop } = checked.value;
    if (inPanel) {
      const html = views.qrPanel({
        lang,
        members: deps.directory.list(),
        corpId: app.corpId,
        agentId: app.agentId,
        hidden,
        confirmAction,
        cancelAction,
        parentOrigin: redirectUri.origin,
        script: panelScript,
      });
      return sendHtml(ctx, html, inPanelCsp);
    }
    const html = views.qrLogin({
      lang,
      members: deps.directory.list(),
      corpId: app.corpId,
      agentId: app.agentId,
      returnHost: redirectUri.host,
      hidden,
      confirmAction,
      cancelAction,
      redirectTop,
    });
    sendHtml(ctx, html, csp);
  });

  router.get('/wwlogin/sso/panel.js', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.body = PANEL_SCRIPT;
  });

  router.post('/wwlogin/sso/confirm', formBody, (ctx) => {
    const body = formFields(ctx);
    const checked = checkQrLogin(body, deps, ctx.get('accept-language'));
    if (!checked.ok) return showError(ctx, checked, pickLang(single(body.lang), ctx.get('accept-language')));
    const { app, redirectUri, state, lang } = checked.value;
    const identity = pickedIdentity(body, deps.directory);
    if (!identity) {
      return showError(ctx, problem('未知的扫码人', 'unknown person picked on the QR page'), lang);
    }
    const code = credentials.issueCode({ corpId: app.corpId, agentId: app.agentId, identity, withUserTicket: false });
    log.debug('simulator QR login confirmed', { corpId: app.corpId, agentId: app.agentId, identity: identity.kind });
    redirectTo(ctx, callbackUrl(redirectUri, { code, state }));
  });

  router.post('/wwlogin/sso/cancel', formBody, (ctx) => {
    const body = formFields(ctx);
    const checked = checkQrLogin(body, deps, ctx.get('accept-language'));
    if (!checked.ok) return showError(ctx, checked, pickLang(single(body.lang), ctx.get('accept-language')));
    redirectTo(ctx, callbackUrl(checked.value.redirectUri, { state: checked.value.state }));
  });
}
