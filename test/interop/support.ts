/**
 * Shared pieces of the interop suites: finding the external relying parties on this machine (each
 * suite is skipped with a one-line reason when its tool is missing; `.ci/ensure-interop-tools.sh`
 * installs them), and the person's part of a sign-in: from whatever page the relying party sent the
 * browser to, press the WeCom button on our login page and "scan" on the simulator's QR page.
 */
import { spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createInterface } from 'node:readline';
import { Browser, formsOf, type Page } from '../support/browser.js';
import { scanForm } from '../support/flow.js';
import type { TestServer } from '../support/server.js';

export const INSTALL_HINT = 'run .ci/ensure-interop-tools.sh to install it';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** Debian's Apache layout: the binary and the modules the mod_auth_openidc suite loads. */
export const APACHE = {
  binary: ['/usr/sbin/apache2', '/usr/local/sbin/apache2'].find(executable),
  modules: '/usr/lib/apache2/modules',
  required: [
    'mod_mpm_prefork.so',
    'mod_authn_core.so',
    'mod_authz_core.so',
    'mod_authz_user.so',
    'mod_mime.so',
    'mod_include.so',
    'mod_auth_openidc.so',
  ],
};

/** Why the mod_auth_openidc suite cannot run here, or undefined when it can. */
export function apacheMissing(): string | undefined {
  if (!APACHE.binary) return `apache2 is not installed (${INSTALL_HINT})`;
  const missing = APACHE.required.filter((module) => !readable(`${APACHE.modules}/${module}`));
  if (missing.length) return `Apache modules missing: ${missing.join(', ')} (${INSTALL_HINT})`;
  return undefined;
}

/**
 * A Python 3 that can import authlib and requests. Debian's python3-authlib lives in the system
 * interpreter, which a pyenv or virtualenv `python3` on the PATH may hide, so that one is tried first.
 */
export function findAuthlibPython(): string | undefined {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(candidate, ['-c', 'import authlib, requests'], { stdio: 'ignore', timeout: 20_000 });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

/** Where Debian's golang-* library packages put their sources (a GOPATH for GO111MODULE=off builds). */
export const DEBIAN_GOPATH = '/usr/share/gocode';

/**
 * The `go` command and Debian's coreos/go-oidc and golang.org/x/oauth2 sources, or why the go-oidc
 * suite cannot run here.
 */
export function findGoOidc(): { go: string } | { missing: string } {
  const go = ['/usr/bin/go', '/usr/lib/go/bin/go', '/usr/local/go/bin/go'].find(executable);
  if (!go) return { missing: `Go is not installed (golang-go; ${INSTALL_HINT})` };
  const libraries = {
    'golang-github-coreos-go-oidc-dev': 'github.com/coreos/go-oidc/oidc.go',
    'golang-golang-x-oauth2-dev': 'golang.org/x/oauth2/oauth2.go',
  };
  const absent = Object.entries(libraries).filter(([, file]) => !readable(`${DEBIAN_GOPATH}/src/${file}`));
  if (absent.length) return { missing: `Go libraries missing: ${absent.map(([name]) => name).join(', ')} (${INSTALL_HINT})` };
  return { go };
}

/**
 * The Ruby interpreter and the openid_connect gem (Debian's ruby-openid-connect, which
 * ruby-omniauth-openid-connect and so GitLab use), or why the OmniAuth suite cannot run here.
 */
export function findRubyOpenIdConnect(): { ruby: string } | { missing: string } {
  const ruby = ['/usr/bin/ruby', '/usr/local/bin/ruby'].find(executable);
  if (!ruby) return { missing: `Ruby is not installed (ruby; ${INSTALL_HINT})` };
  const probe = spawnSync(ruby, ['-e', 'require "omniauth_openid_connect"; require "openid_connect"'], { stdio: 'ignore', timeout: 30_000 });
  if (probe.status !== 0) return { missing: `Ruby cannot load omniauth_openid_connect (ruby-omniauth-openid-connect; ${INSTALL_HINT})` };
  return { ruby };
}

/**
 * Runs a relying party that talks one JSON object per stdout line, reads the callback URL on stdin
 * (the pattern of authlib_rp.py, go_oidc_rp.go and omniauth_rp.rb).
 */
export function lineProtocol(child: ChildProcessWithoutNullStreams, name: string) {
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    exited,
    stderr: () => stderr,
    async next<T = Record<string, unknown>>(): Promise<T> {
      const line = await lines.next();
      if (line.done) throw new Error(`${name} ended early (exit ${await exited}): ${stderr}`);
      return JSON.parse(line.value) as T;
    },
    send(line: string) {
      child.stdin.end(`${line}\n`);
    },
  };
}

/**
 * The test Browser, sending what a real browser sends for a top-level navigation. Node's fetch always
 * sends `Sec-Fetch-Mode: cors`, which mod_auth_openidc rightly takes for a script's request and
 * answers with 401 instead of starting a sign-in; a browser following a link or a redirect sends
 * `Sec-Fetch-Mode: navigate` and `Sec-Fetch-Dest: document`. (Plain http only: loopback tests.)
 */
export class NavigatingBrowser extends Browser {
  override async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Page> {
    const headers: Record<string, string> = {
      'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) wecom-oidc-interop-tests',
      accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-dest': 'document',
      'sec-fetch-site': 'none',
    };
    const cookie = await this.jar.getCookieString(url);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const { status, responseHeaders, text } = await new Promise<{ status: number; responseHeaders: Headers; text: string }>((resolve, reject) => {
      const outgoing = httpRequest(url, { method: init.method ?? 'GET', headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const responseHeaders = new Headers();
          for (let i = 0; i < response.rawHeaders.length; i += 2) responseHeaders.append(response.rawHeaders[i]!, response.rawHeaders[i + 1]!);
          resolve({ status: response.statusCode ?? 0, responseHeaders, text: Buffer.concat(chunks).toString('utf8') });
        });
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
    for (const setCookie of responseHeaders.getSetCookie()) await this.jar.setCookie(setCookie, url);
    return { url, status, headers: responseHeaders, body: text, chain: [url] };
  }
}

/** Presses the WeCom button on our login page (the page the RP's redirect led to) and scans as `who`. */
export async function signInOnLoginPage(browser: Browser, loginPage: Page, who = 'ZhangSan', stopAt?: (next: string) => boolean): Promise<Page> {
  const start = formsOf(loginPage).find((form) => form.action.endsWith('/wecom/wecom'));
  if (!start) throw new Error(`expected our login page, got ${loginPage.status} ${loginPage.url}: ${loginPage.body.slice(0, 300)}`);
  const qrPage = await browser.submit(loginPage, start);
  return browser.submit(qrPage, scanForm(qrPage, who), stopAt);
}

/** The account (and so the `sub`) our server has for a simulator member. */
export async function subjectOf(t: TestServer, userid: string): Promise<string> {
  const account = await t.server.storage.accounts.findByIdentity(t.config.connections[0]!.corpId, userid.toLowerCase());
  if (!account) throw new Error(`no account for ${userid}`);
  return account.id;
}
