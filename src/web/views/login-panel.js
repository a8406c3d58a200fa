// Renders WeCom's QR login panel (@wecom/jssdk, served from our origin; with the simulator, its
// stand-in) into the element that carries data-wecom-panel. The panel shows WeCom's QR code in an
// iframe and, after the scan, navigates this whole page (redirect_type "top") to our callback.
//
// The panel must never be a broken box: it stays invisible until WeCom's page inside it answers
// (the SDK's handshake message, or one of its callbacks), and is removed, leaving the plain
// "sign in with WeCom" button, when the SDK did not load, WeCom's page has not answered within
// PANEL_TIMEOUT_MS (WeCom unreachable, blocked, or showing a browser error page), or the panel
// reports a failure (onLoginFail).
// No inline script or handler: the CSP allows only this file and the SDK, by nonce.
(function () {
  var PANEL_TIMEOUT_MS = 6000;
  var el = document.querySelector('[data-wecom-panel]');
  if (!el) return;
  var origin = el.getAttribute('data-wecom-origin');
  var panel = null;
  var settled = false;
  var timer = null;

  // Why the panel went ('no-sdk', 'timeout', 'failed'), on <body data-wecom-panel-removed>: for
  // whoever looks into a login page that shows only the button.
  function remove(reason) {
    if (settled && !el.parentNode) return;
    settled = true;
    document.body.setAttribute('data-wecom-panel-removed', reason);
    clearTimeout(timer);
    try {
      if (panel) panel.unmount();
    } catch (error) {
      // the element goes below anyway
    }
    if (el.parentNode) el.parentNode.removeChild(el);
    document.body.classList.remove('panel-ready');
  }

  function ready() {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    el.setAttribute('data-state', 'ready');
    document.body.classList.add('panel-ready');
  }

  if (!window.ww || typeof window.ww.createWWLoginPanel !== 'function') return remove('no-sdk');

  window.addEventListener('message', function (event) {
    if (!panel || event.origin !== origin || event.source !== panel.el.contentWindow) return;
    var message = event.data;
    if (typeof message === 'string') {
      try {
        message = JSON.parse(message);
      } catch (error) {
        return;
      }
    }
    if (message && typeof message.type === 'string' && message.type.indexOf('ww-iframe-handle:') === 0) ready();
  });

  try {
    panel = window.ww.createWWLoginPanel({
      el: el,
      params: JSON.parse(el.getAttribute('data-wecom-panel')),
      onCheckWeComLogin: ready,
      onLoginFail: function () {
        remove('failed');
      },
    });
  } catch (error) {
    return remove('no-sdk');
  }
  // The SDK's iframe has no name; screen readers announce this one.
  if (panel && panel.el) panel.el.setAttribute('title', el.getAttribute('data-panel-title') || '');
  el.hidden = false;
  timer = setTimeout(function () {
    if (!settled) remove('timeout');
  }, PANEL_TIMEOUT_MS);
})();
