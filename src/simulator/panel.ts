/**
 * The stand-in for WeCom's embedded login panel (98478), so that `npm start` shows the login page
 * as it will be in production (the QR code inline, the person picked inside the panel) without a
 * request leaving the machine.
 *
 * Two parts. The SDK: WeCom's published JS SDK (@wecom/jssdk) hard-codes its panel's origin, so the
 * simulator serves that same SDK with WeCom's origin and login URL replaced by its own; the SDK's
 * code otherwise runs unchanged. The panel: the QR login page, in a compact layout when the SDK
 * opened it (it adds `version`), with a small script that speaks the SDK's side of WeCom's iframe
 * protocol: it answers the SDK's `ww-iframe-handle:init` with `ready`, then reports
 * `onCheckWeComLogin` (no desktop client here) or, for a request WeCom would refuse, `onLoginFail`.
 */
const WECOM_LOGIN_ORIGIN = 'https://login.work.weixin.qq.com';
const WECOM_PANEL_URL = `${WECOM_LOGIN_ORIGIN}/wwlogin/sso/login`;

export class PanelSdkMismatchError extends Error {
  constructor(what: string, found: number) {
    super(`@wecom/jssdk changed: expected ${what} exactly once in its panel code, found ${found}; update simulator/panel.ts`);
    this.name = 'PanelSdkMismatchError';
  }
}

/**
 * The published SDK, pointed at the simulator mounted at `simulatorUrl` (origin and path, e.g.
 * http://localhost:3000/wecom-simulator). Fails loudly if a new SDK version no longer has the two
 * literals where we expect them, rather than quietly loading the real WeCom.
 */
export function panelSdkSource(publishedSdk: string, simulatorUrl: string): string {
  const target = new URL(simulatorUrl);
  const quoted = (text: string) => JSON.stringify(text);
  const panelUrlCount = publishedSdk.split(quoted(WECOM_PANEL_URL)).length - 1;
  if (panelUrlCount !== 1) throw new PanelSdkMismatchError(WECOM_PANEL_URL, panelUrlCount);
  const pointed = publishedSdk.replace(quoted(WECOM_PANEL_URL), quoted(`${target.origin}${target.pathname.replace(/\/$/, '')}/wwlogin/sso/login`));
  // The origin the SDK accepts the panel's messages from (it also appears for WeCom's other frames).
  const originCount = pointed.split(quoted(WECOM_LOGIN_ORIGIN)).length - 1;
  if (originCount < 1) throw new PanelSdkMismatchError(WECOM_LOGIN_ORIGIN, originCount);
  return pointed.replaceAll(quoted(WECOM_LOGIN_ORIGIN), quoted(target.origin));
}

/** The panel page's script (served by the simulator; its pages allow only 'self' scripts). */
export const PANEL_SCRIPT = `// WeCom simulator: the panel's side of the JS SDK's iframe protocol.
(function () {
  var body = document.body;
  var parentOrigin = body.getAttribute('data-parent-origin');
  if (!parentOrigin || window.parent === window) return;
  var failure = body.getAttribute('data-login-fail');
  var answered = false;
  function send(message) {
    window.parent.postMessage(JSON.stringify(message), parentOrigin);
  }
  function call(name, payload) {
    send({ type: 'ww-iframe-handle:call', args: { type: 'call', name: name, payload: payload } });
  }
  window.addEventListener('message', function (event) {
    if (event.origin !== parentOrigin || event.source !== window.parent || answered) return;
    var message;
    try {
      message = typeof event.data === 'string' ? JSON.parse(event.data) : event.data;
    } catch (error) {
      return;
    }
    if (!message || message.type !== 'ww-iframe-handle:init') return;
    answered = true;
    send({ type: 'ww-iframe-handle:ready', supportChannel: false });
    if (failure) call('onLoginFail', JSON.parse(failure));
    else call('onCheckWeComLogin', { isWeComLogin: false });
  });
})();
`;
