/** The demo app's one page, rendered with eta (escaped interpolation). */
import { Eta } from 'eta';

const eta = new Eta({ autoEscape: true });

const TEMPLATE = `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>wecom-oidc demo app</title>
<style>body{font:16px/1.5 system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:760px;margin:40px auto;padding:0 16px}
pre{background:#f4f6f8;padding:12px;border-radius:8px;overflow:auto}button{font:inherit;padding:8px 18px;border-radius:8px;border:1px solid #0b63c5;background:#0b63c5;color:#fff;cursor:pointer}
.error{border-left:4px solid #c00;padding:4px 12px}</style></head>
<body>
<h1>wecom-oidc demo app / 演示应用</h1>
<p>An ordinary OIDC relying party (openid-client) signed in through <code><%= it.issuer %></code>.</p>
<% if (it.error) { %><p class="error">Sign-in failed / 登录失败: <%= it.error %></p><% } %>
<% if (it.claims) { %>
<p>Signed in as / 已登录: <strong><%= it.userinfo.name || it.userinfo.preferred_username || it.claims.sub %></strong></p>
<form method="post" action="/logout"><button type="submit">Sign out / 退出登录</button></form>
<h2>ID token claims</h2><pre><%= JSON.stringify(it.claims, null, 2) %></pre>
<h2>UserInfo</h2><pre><%= JSON.stringify(it.userinfo, null, 2) %></pre>
<% } else { %>
<form method="post" action="/login"><button type="submit">Sign in with WeCom / 企业微信登录</button></form>
<% } %>
</body></html>`;

export function renderDemoPage(data: {
  issuer: string;
  claims?: Record<string, unknown>;
  userinfo?: Record<string, unknown>;
  error?: string;
}): string {
  return eta.renderString(TEMPLATE, data);
}
