/** The demo app's one page, rendered with eta (escaped interpolation). */
import { Eta } from 'eta';

const eta = new Eta({ autoEscape: true });

const TEMPLATE = `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>wecom-oidc demo app</title>
<style>body{font:16px/1.5 system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:760px;margin:40px auto;padding:0 16px}
pre{background:#f4f6f8;padding:12px;border-radius:8px;overflow:auto}button{font:inherit;padding:8px 18px;border-radius:8px;border:1px solid #0b63c5;background:#0b63c5;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#0b63c5}.row{display:flex;gap:8px;flex-wrap:wrap}
.error{border-left:4px solid #c00;padding:4px 12px}.ended{border-left:4px solid #b54708;padding:4px 12px;background:#fffaeb}
.ok{border-left:4px solid #067647;padding:4px 12px}</style></head>
<body>
<h1>wecom-oidc demo app / 演示应用</h1>
<p>An ordinary OIDC relying party (openid-client) signed in through <code><%= it.issuer %></code>.</p>
<% if (it.error) { %><p class="error">Sign-in failed / 登录失败: <%= it.error %></p><% } %>
<% if (it.ended) { %><div class="ended" id="ended"><p><strong>
<% if (it.ended.how === 'backchannel') { %>The provider ended this session by back-channel logout / 身份提供方通过后端通道注销结束了本会话<% } else { %>The provider refused the refresh token, so this session ended / 身份提供方拒绝了刷新令牌，本会话已结束<% } %>
</strong> (<%= it.ended.at %>)</p></div><% } %>
<% if (it.lastRefresh) { %><div class="<%= it.lastRefresh.ok ? 'ok' : 'error' %>" id="refresh-result"><p><%= it.lastRefresh.ok ? 'Refresh succeeded / 刷新成功' : 'Refresh failed / 刷新失败' %> (<%= it.lastRefresh.at %>)</p>
<pre><%= JSON.stringify(it.lastRefresh.details, null, 2) %></pre></div><% } %>
<% if (it.claims) { %>
<p>Signed in as / 已登录: <strong><%= it.userinfo.name || it.userinfo.preferred_username || it.claims.sub %></strong></p>
<div class="row">
<% if (it.canRefresh) { %><form method="post" action="/refresh"><button type="submit">Refresh tokens / 刷新令牌</button></form><% } %>
<form method="post" action="/logout"><button type="submit" class="secondary">Sign out / 退出登录</button></form>
</div>
<% if (it.directoryAdmin) { %><p>Try offboarding / 试试离职流程: remove or disable this member on the
<a href="<%= it.directoryAdmin %>">simulator's directory admin page / 模拟器的通讯录管理页</a>,
then come back<% if (it.backchannel) { %> and reload: the provider ends this session by back-channel logout<% } %>, or press "Refresh tokens" to see it refused.</p><% } %>
<h2>ID token claims</h2><pre><%= JSON.stringify(it.claims, null, 2) %></pre>
<h2>UserInfo</h2><pre><%= JSON.stringify(it.userinfo, null, 2) %></pre>
<% } else { %>
<div class="row">
<form method="post" action="/login"><button type="submit">Sign in with WeCom / 企业微信登录</button></form>
<% if (it.canRefresh) { %><form method="post" action="/refresh"><button type="submit" class="secondary">Try the old refresh token / 再试旧的刷新令牌</button></form><% } %>
</div>
<% } %>
</body></html>`;

/** What the last press of "Refresh tokens" brought: a summary of the new tokens (never the tokens), or the error. */
export interface RefreshResult {
  ok: boolean;
  at: string;
  details: Record<string, unknown>;
}

export function renderDemoPage(data: {
  issuer: string;
  claims?: Record<string, unknown>;
  userinfo?: Record<string, unknown>;
  canRefresh?: boolean;
  ended?: { at: string; how: 'backchannel' | 'refresh_refused' };
  lastRefresh?: RefreshResult;
  /** The client registered a back-channel logout URI. */
  backchannel?: boolean;
  /** The simulator's directory admin page, when the simulator runs. */
  directoryAdmin?: string;
  error?: string;
}): string {
  return eta.renderString(TEMPLATE, data);
}
