/**
 * The relying party of the browser tests: a tiny app on its own 127.0.0.1 port. `/login` builds
 * the authorization request with openid-client and sends the browser to the provider; `/cb`
 * redeems the code (PKCE, state, nonce), reads userinfo and shows who signed in — or posts the
 * result to `window.opener` when the sign-in ran in a popup.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { authorizationRequest, discover } from '../support/flow.js';

export const FIRST_PARTY_ID = 'browser-app';
export const PARTNER_ID = 'browser-partner';
export const PARTNER_NAME = 'Partner Dashboard';

interface Pending {
  clientId: string;
  codeVerifier: string;
  nonce: string;
  popup: boolean;
}

export interface SignInResult {
  user?: { name?: string; sub: string; amr?: unknown; preferred_username?: unknown };
  error?: string;
  /** The provider's error_description, as an app would show or log it. */
  errorDescription?: string;
}

export class RelyingParty {
  private issuer = '';
  private readonly configs = new Map<string, Promise<oidc.Configuration>>();
  private readonly pending = new Map<string, Pending>();

  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(): Promise<RelyingParty> {
    let app: RelyingParty | undefined;
    const server = createServer((req, res) => {
      app!.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`RP error: ${error instanceof Error ? error.message : String(error)}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    app = new RelyingParty(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return app;
  }

  get redirectUri(): string {
    return `${this.origin}/cb`;
  }

  get logoUri(): string {
    return `${this.origin}/logo.svg`;
  }

  /** The two clients to register with the provider: a first-party app and a third-party one. */
  clients(): Record<string, unknown>[] {
    return [
      {
        client_id: FIRST_PARTY_ID,
        client_secret: 'browser-app-secret-0123456789abcdef01',
        redirect_uris: [this.redirectUri],
        grant_types: ['authorization_code'],
        first_party: true,
      },
      {
        client_id: PARTNER_ID,
        client_name: PARTNER_NAME,
        logo_uri: this.logoUri,
        client_secret: 'browser-partner-secret-0123456789abcd',
        redirect_uris: [this.redirectUri],
        grant_types: ['authorization_code'],
      },
    ];
  }

  /** Points the app at a (re)started provider. */
  useIssuer(issuer: string): void {
    this.issuer = issuer;
    this.configs.clear();
    this.pending.clear();
  }

  /** The app's sign-in link; `params` go into the authorization request (`client=partner` picks the third-party client). */
  loginUrl(params: Record<string, string> = {}): string {
    return `${this.origin}/login?${new URLSearchParams(params).toString()}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private config(clientId: string): Promise<oidc.Configuration> {
    let config = this.configs.get(clientId);
    if (!config) {
      const client = this.clients().find((candidate) => candidate.client_id === clientId) as { client_id: string; client_secret: string };
      config = discover(this.issuer, client);
      this.configs.set(clientId, config);
    }
    return config;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    switch (url.pathname) {
      case '/':
        return html(res, 200, homePage(this.origin));
      case '/logo.svg':
        res.writeHead(200, { 'content-type': 'image/svg+xml' });
        return void res.end(LOGO_SVG);
      case '/login': {
        const params = Object.fromEntries(url.searchParams);
        const { client = 'first-party', ...extra } = params;
        const clientId = client === 'partner' ? PARTNER_ID : FIRST_PARTY_ID;
        const request = await authorizationRequest(await this.config(clientId), this.redirectUri, extra);
        this.pending.set(request.state, {
          clientId,
          codeVerifier: request.codeVerifier,
          nonce: request.nonce,
          popup: extra.display === 'popup',
        });
        res.writeHead(302, { location: request.url.href });
        return void res.end();
      }
      case '/cb': {
        const pending = this.pending.get(url.searchParams.get('state') ?? '');
        let result: SignInResult;
        if (url.searchParams.has('error')) {
          result = { error: url.searchParams.get('error')!, errorDescription: url.searchParams.get('error_description') ?? undefined };
        } else if (!pending) {
          result = { error: 'unknown_state' };
        } else {
          this.pending.delete(url.searchParams.get('state')!);
          const config = await this.config(pending.clientId);
          const tokens = await oidc.authorizationCodeGrant(config, url, {
            pkceCodeVerifier: pending.codeVerifier,
            expectedState: url.searchParams.get('state')!,
            expectedNonce: pending.nonce,
          });
          const claims = tokens.claims()!;
          const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
          result = { user: { sub: claims.sub, amr: claims.amr, name: userinfo.name, preferred_username: userinfo.preferred_username } };
        }
        return html(res, 200, pending?.popup ? popupCallbackPage(this.origin, result) : resultPage(result));
      }
      default:
        return html(res, 404, page('Not found', '<h1>Not found</h1>'));
    }
  }
}

function html(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,"Noto Sans CJK SC",sans-serif;max-width:640px;margin:32px auto;padding:0 16px}
pre{background:#f4f6f8;padding:12px;border-radius:8px}</style></head><body>${body}</body></html>`;
}

function resultPage(result: SignInResult): string {
  if (result.error) {
    const description = result.errorDescription
      ? `<p>description: <code id="error-description">${escapeHtml(result.errorDescription)}</code></p>`
      : '';
    return page(
      'Sign-in failed',
      `<h1>Sign-in failed</h1><p>error: <code id="error">${escapeHtml(result.error)}</code></p>${description}<p><a href="/">Home</a></p>`,
    );
  }
  const user = result.user!;
  return page(
    'Signed in',
    `<h1>Signed in as <span id="user">${escapeHtml(user.name ?? user.sub)}</span></h1><pre id="claims">${escapeHtml(JSON.stringify(user, null, 2))}</pre>`,
  );
}

function homePage(origin: string): string {
  return page(
    'Browser test app',
    `<h1>Browser test app</h1>
<p><a id="sign-in" href="/login">Sign in</a></p>
${POPUP_OPENER}
<p id="result"></p>
<script>
  // (not part of the README snippet) what the test reads: the user shown by showUser()
  function showUser(data) {
    const result = document.getElementById('result');
    result.textContent = data.error ? 'Sign-in failed: ' + data.error : 'Signed in as ' + data.user.name;
    result.dataset.amr = data.user ? JSON.stringify(data.user.amr) : '';
  }
</script>
<!-- origin ${escapeHtml(origin)} -->`,
  );
}

// ---- README snippet: sign in in a popup (begin) ---------------------------------------------
// On the app's page: open the app's own sign-in route (which adds display=popup to the OIDC
// authorization request) in a small window, and take the result it posts back.
const POPUP_OPENER = `<button type="button" id="sign-in-popup">Sign in with WeCom</button>
<script>
  document.getElementById('sign-in-popup').addEventListener('click', () => {
    window.open('/login?display=popup', 'wecom-oidc', 'popup,width=480,height=640');
  });
  window.addEventListener('message', (event) => {
    if (event.origin !== window.location.origin || event.data?.type !== 'wecom-oidc') return;
    showUser(event.data); // { user: { name, … } } or { error: 'access_denied' }
  });
</script>`;

// On the app's redirect_uri page, after the server redeemed the code: hand the result to the
// opener, only to the app's own origin, and close the popup.
function popupCallbackPage(appOrigin: string, result: SignInResult): string {
  return page(
    'Signing in…',
    `<p>Signing in…</p>
<script>
  window.opener.postMessage({ type: 'wecom-oidc', ...${scriptJson(result)} }, ${scriptJson(appOrigin)});
  window.close();
</script>`,
  );
}
// ---- README snippet: sign in in a popup (end) -----------------------------------------------

const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64"><rect width="64" height="64" rx="12" fill="#2b7a4b"/><path d="M14 40 L26 22 L34 34 L40 26 L50 40 Z" fill="#fff"/></svg>`;
