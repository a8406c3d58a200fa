/**
 * The simulator's eta templates, kept as strings so that they compile with the code (nothing to copy
 * into dist/). Rendered with autoEscape on: every `<%= %>` is escaped; the only raw outputs (`<%~ %>`)
 * are the layout body and includes, which are themselves escaped template output.
 *
 * Pages use plain forms (no JavaScript) and no external resources, so the CSP can stay strict.
 */

const layout = `<!doctype html>
<html lang="<%= it.lang === 'en' ? 'en' : 'zh-CN' %>">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title><%= it.title %> · <%= it.label %></title>
<style>
body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f3f5f8;color:#1f2329}
.sim-banner{background:#b42318;color:#fff;padding:.6rem 1rem;font-weight:600;text-align:center}
.sim-banner a{color:#fff}
.notice{border-left:4px solid #067647;padding:.5rem 1rem;background:#ecfdf3}
table.directory button{width:auto;padding:.2rem .5rem;font-size:.85rem}
table.directory form{display:inline}
input[type=text]{font:inherit;padding:.3rem;border:1px solid #c9cdd4;border-radius:6px}
main.wide{max-width:72rem}
main{max-width:46rem;margin:1.5rem auto;background:#fff;border-radius:8px;padding:1.5rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.3rem;margin-top:0}
.muted{color:#646a73;font-size:.9rem}
.qr{display:block;margin:1rem auto;width:10rem;height:10rem;border:1px solid #dee0e3}
ul.people{list-style:none;padding:0}
ul.people li{margin:.4rem 0}
button{font:inherit;cursor:pointer;border:1px solid #c9cdd4;background:#fff;border-radius:6px;padding:.5rem .8rem;text-align:left;width:100%}
button:hover{border-color:#0b57d0}
button.primary{background:#0b57d0;color:#fff;border-color:#0b57d0;text-align:center}
.row{display:flex;gap:.5rem}
.row form{flex:1}
.problem{border-left:4px solid #b42318;padding:.5rem 1rem;background:#fef3f2}
table{border-collapse:collapse;width:100%;font-size:.9rem}
td,th{border-bottom:1px solid #eee;padding:.3rem;text-align:left;vertical-align:top}
</style>
</head>
<body>
<header class="sim-banner" role="banner"><%= it.label %> · <%= it.labelZh %> · <a href="<%= it.directoryHref %>"><%= it.directoryLink %></a></header>
<main<% if (it.wide) { %> class="wide"<% } %>>
<%~ it.body %>
</main>
</body>
</html>
`;

const hidden = `<% it.hidden.forEach(function (field) { %><input type="hidden" name="<%= field.name %>" value="<%= field.value %>">
<% }) %>`;

const qrLogin = `<% layout('@layout', it.layout) %>
<h1><%= it.t.qrTitle %></h1>
<p class="muted"><%= it.appLine %> · <%= it.returnLine %></p>
<svg class="qr" viewBox="0 0 25 25" role="img" aria-label="<%= it.t.qrAlt %>"><rect width="25" height="25" fill="#fff"/><path fill="#1f2329" d="<%= it.qrPath %>"/></svg>
<p><%= it.t.qrHint %></p>
<ul class="people">
<% it.people.forEach(function (person) { %><li><form method="post" action="<%= it.confirmAction %>"<% if (it.redirectTop) { %> target="_top"<% } %>>
<%~ include('@hidden', { hidden: it.hidden }) %><input type="hidden" name="<%= person.field %>" value="<%= person.value %>">
<button type="submit"><%= person.label %></button>
</form></li>
<% }) %></ul>
<form method="post" action="<%= it.cancelAction %>"<% if (it.redirectTop) { %> target="_top"<% } %>>
<%~ include('@hidden', { hidden: it.hidden }) %><button type="submit"><%= it.t.cancel %></button>
</form>
`;

const memberPicker = `<% layout('@layout', it.layout) %>
<h1><%= it.t.pickTitle %></h1>
<p class="muted"><%= it.t.pickHint %></p>
<ul class="people">
<% it.people.forEach(function (person) { %><li><form method="post" action="<%= it.action %>">
<%~ include('@hidden', { hidden: it.hidden }) %><input type="hidden" name="userid" value="<%= person.value %>">
<button type="submit"><%= person.label %></button>
</form></li>
<% }) %></ul>
`;

const consent = `<% layout('@layout', it.layout) %>
<h1><%= it.t.consentTitle %></h1>
<p><%= it.consentText %></p>
<p class="muted"><%= it.signedInAs %></p>
<div class="row">
<form method="post" action="<%= it.action %>">
<%~ include('@hidden', { hidden: it.hidden }) %><input type="hidden" name="decision" value="accept">
<button type="submit" class="primary"><%= it.t.accept %></button>
</form>
<form method="post" action="<%= it.action %>">
<%~ include('@hidden', { hidden: it.hidden }) %><input type="hidden" name="decision" value="decline">
<button type="submit"><%= it.t.decline %></button>
</form>
</div>
<form method="post" action="<%= it.switchAction %>">
<%~ include('@hidden', { hidden: it.hidden }) %><p><button type="submit"><%= it.t.switchMember %></button></p>
</form>
`;

const error = `<% layout('@layout', it.layout) %>
<h1><%= it.t.errorTitle %></h1>
<div class="problem">
<p lang="zh-CN"><%= it.problem.zh %></p>
<p lang="en"><%= it.problem.en %></p>
<% if (it.problem.errcode) { %><p class="muted">errcode: <%= it.problem.errcode %></p><% } %>
</div>
`;

const index = `<% layout('@layout', it.layout) %>
<h1><%= it.t.indexTitle %></h1>
<p><%= it.t.indexIntro %></p>
<h2><%= it.t.indexApps %></h2>
<ul>
<% it.apps.forEach(function (app) { %><li>CorpID <code><%= app.corpId %></code> · AgentID <code><%= app.agentId %></code><% if (app.legacyContactFields) { %> <%= it.t.legacyApp %><% } %></li>
<% }) %></ul>
<h2><%= it.t.indexDirectory %></h2>
<table>
<tr><th>name</th><th>userid / openid</th><th>status</th><th></th></tr>
<% it.people.forEach(function (person) { %><tr><td><%= person.name %></td><td><code><%= person.id %></code></td><td><%= person.status %></td><td><%= person.note %></td></tr>
<% }) %></table>
`;

const directory = `<% layout('@layout', it.layout) %>
<h1><%= it.t.directoryTitle %></h1>
<p><%= it.t.directoryIntro %></p>
<% if (it.targets.length > 0) { %><p class="muted"><%= it.t.directoryTargets %> <% it.targets.forEach(function (url) { %><code><%= url %></code> <% }) %></p><% } else { %><p class="muted"><%= it.t.directoryNoTargets %></p><% } %>
<% if (it.notice) { %><p class="notice" role="status"><%= it.notice %></p><% } %>
<% if (it.problem) { %><div class="problem" role="alert"><p><%= it.problem %></p></div><% } %>
<table class="directory">
<tr><th><%= it.t.columns.name %></th><th><%= it.t.columns.userid %></th><th><%= it.t.columns.status %></th><th><%= it.t.columns.scope %></th><th><%= it.t.columns.actions %></th></tr>
<% it.rows.forEach(function (row) { %><tr>
<td><%= row.name %></td><td><code><%= row.userid %></code></td><td><%= row.status %></td><td><%= row.scope %></td>
<td><% row.actions.forEach(function (action) { %><form method="post" action="<%= action.action %>"><input type="hidden" name="csrf" value="<%= it.csrf %>"><input type="hidden" name="lang" value="<%= it.lang %>"><input type="hidden" name="userid" value="<%= row.userid %>"><button type="submit"><%= action.label %></button></form> <% }) %>
<% if (row.canRename) { %><form method="post" action="<%= it.renameAction %>"><input type="hidden" name="csrf" value="<%= it.csrf %>"><input type="hidden" name="lang" value="<%= it.lang %>"><input type="hidden" name="userid" value="<%= row.userid %>"><input type="text" name="newUserid" required maxlength="64" aria-label="<%= it.t.newUserid %>" placeholder="<%= it.t.newUserid %>"> <button type="submit"><%= it.t.rename %></button></form><% } %></td>
</tr>
<% }) %></table>
<h2><%= it.t.addTitle %></h2>
<p class="muted"><%= it.t.addHint %></p>
<form method="post" action="<%= it.addAction %>" class="row">
<input type="hidden" name="csrf" value="<%= it.csrf %>"><input type="hidden" name="lang" value="<%= it.lang %>">
<input type="text" name="userid" required maxlength="64" aria-label="userid" placeholder="userid">
<input type="text" name="name" required maxlength="64" aria-label="<%= it.t.nameField %>" placeholder="<%= it.t.nameField %>">
<button type="submit" class="primary"><%= it.t.add %></button>
</form>
<h2><%= it.t.deliveriesTitle %></h2>
<% if (it.deliveries.length === 0) { %><p class="muted"><%= it.t.deliveriesNone %></p><% } else { %>
<table>
<tr><th><%= it.t.deliveryColumns.connection %></th><th><%= it.t.deliveryColumns.change %></th><th><%= it.t.deliveryColumns.userid %></th><th><%= it.t.deliveryColumns.outcome %></th><th><%= it.t.deliveryColumns.attempts %></th></tr>
<% it.deliveries.forEach(function (delivery) { %><tr><td><%= delivery.connection %></td><td><%= delivery.changeType %></td><td><code><%= delivery.userid %></code></td><td><%= delivery.outcome %></td><td><%= delivery.attempts %></td></tr>
<% }) %></table><% } %>
`;

const avatarSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64"><rect width="64" height="64" rx="8" fill="<%= it.color %>"/><text x="32" y="42" font-size="28" text-anchor="middle" fill="#fff" font-family="sans-serif"><%= it.initial %></text></svg>
`;

const qrSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 25 25" width="200" height="200"><rect width="25" height="25" fill="#fff"/><path fill="#000" d="<%= it.qrPath %>"/></svg>
`;

/** WeCom's embedded panel (480×416, or 320×380): compact, no page chrome, the QR code first. */
const panelLayout = `<!doctype html>
<html lang="<%= it.lang === 'en' ? 'en' : 'zh-CN' %>">
<head>
<meta charset="utf-8">
<meta name="robots" content="noindex, nofollow">
<title><%= it.title %> · <%= it.label %></title>
<style>
html,body{margin:0;height:100%;background:transparent}
body{font:13px/1.4 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#1f2329;display:flex;flex-direction:column;align-items:center;text-align:center;overflow:auto}
.sim-tag{margin:6px 0 0;font-size:11px;font-weight:600;color:#b42318;letter-spacing:.02em}
h1{font-size:15px;font-weight:600;margin:4px 0 0}
.qr{width:132px;height:132px;margin:8px 0 4px;border:1px solid #dee0e3;border-radius:6px;padding:4px;background:#fff}
.hint{margin:0 12px 6px;color:#51565d}
ul.people{list-style:none;margin:0;padding:0 12px;display:grid;grid-template-columns:1fr 1fr;gap:6px;width:100%;box-sizing:border-box}
ul.people li{margin:0}
form{margin:0}
button{font:inherit;cursor:pointer;border:1px solid #c9cdd4;background:#fff;border-radius:6px;padding:5px 6px;width:100%;color:#1f2329;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
button:hover,button:focus-visible{border-color:#0b57d0;outline:none;box-shadow:0 0 0 2px #0b57d033}
.ok{color:#067647}
.cancel{margin:6px 12px 8px;width:calc(100% - 24px)}
.cancel button{border:none;color:#51565d;text-decoration:underline;background:none}
.problem{margin:24px 16px;color:#b42318}
</style>
</head>
<body data-parent-origin="<%= it.parentOrigin || '' %>"<% if (it.loginFail) { %> data-login-fail="<%= it.loginFail %>"<% } %>>
<%~ it.body %>
<script src="<%= it.script %>"></script>
</body>
</html>
`;

const qrPanel = `<% layout('@panel-layout', it.layout) %>
<p class="sim-tag"><%= it.layout.label %> · <%= it.layout.labelZh %></p>
<h1><%= it.t.panelTitle %></h1>
<svg class="qr" viewBox="0 0 25 25" role="img" aria-label="<%= it.t.qrAlt %>"><rect width="25" height="25" fill="#fff"/><path fill="#1f2329" d="<%= it.qrPath %>"/></svg>
<p class="hint"><%= it.t.panelHint %></p>
<ul class="people">
<% it.people.forEach(function (person) { %><li><form method="post" action="<%= it.confirmAction %>" target="_top">
<%~ include('@hidden', { hidden: it.hidden }) %><input type="hidden" name="<%= person.field %>" value="<%= person.value %>">
<button type="submit" title="<%= person.note %>"><% if (person.canSignIn) { %><span class="ok">✓</span> <% } %><%= person.name %> · <%= person.id %></button>
</form></li>
<% }) %></ul>
<form method="post" action="<%= it.cancelAction %>" target="_top" class="cancel">
<%~ include('@hidden', { hidden: it.hidden }) %><button type="submit"><%= it.t.cancel %></button>
</form>
`;

const panelError = `<% layout('@panel-layout', it.layout) %>
<p class="sim-tag"><%= it.layout.label %> · <%= it.layout.labelZh %></p>
<div class="problem">
<p><%= it.lang === 'en' ? it.problem.en : it.problem.zh %></p>
<% if (it.problem.errcode) { %><p>errcode: <%= it.problem.errcode %></p><% } %>
</div>
`;

export const TEMPLATES: Record<string, string> = {
  '@panel-layout': panelLayout,
  '@qr-panel': qrPanel,
  '@panel-error': panelError,
  '@layout': layout,
  '@hidden': hidden,
  '@qr-login': qrLogin,
  '@member-picker': memberPicker,
  '@consent': consent,
  '@error': error,
  '@index': index,
  '@directory': directory,
  '@avatar-svg': avatarSvg,
  '@qr-svg': qrSvg,
};
