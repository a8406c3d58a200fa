// Renders WeCom's own QR login panel (@wecom/jssdk, served from our origin) into each element that
// carries data-wecom-panel. The panel shows WeCom's QR code in an iframe and, after the scan,
// navigates this whole page (redirect_type "top") to our callback, like the full-page login.
// No inline script or handler: the CSP allows only this file and the SDK, by nonce.
(function () {
  var panels = document.querySelectorAll('[data-wecom-panel]');
  if (!panels.length) return;
  if (!window.ww || typeof window.ww.createWWLoginPanel !== 'function') return; // the link below still works
  panels.forEach(function (el) {
    var params = JSON.parse(el.getAttribute('data-wecom-panel'));
    try {
      window.ww.createWWLoginPanel({
        el: el,
        params: params,
        onLoginFail: function () {
          el.hidden = true; // the full-page link stays, as the fallback
        },
      });
      el.hidden = false;
    } catch (error) {
      el.hidden = true;
    }
  });
})();
