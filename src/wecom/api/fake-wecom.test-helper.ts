/**
 * A scripted stand-in for WeCom's server API on 127.0.0.1, for this directory's tests.
 *
 * It is a real HTTP server (so got, timeouts and sockets are exercised for real) that counts calls
 * per path. By default it behaves like a healthy WeCom for one app; a test scripts deviations with
 * `script(path, ...replies)`, which are consumed one per call before the default takes over again.
 * It lives under a path prefix, as the built-in simulator does, to prove base paths are kept.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const APP = { corpId: 'wwfakecorp0001', agentId: '1000002', secret: 'S3cr3t-never-log-me' } as const;
export const PREFIX = '/wecom-sim';

export interface RecordedCall {
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export type Reply =
  | { json: unknown }
  | { status: number; text: string }
  /** Never answer (to trigger our timeout). */
  | { hang: true }
  /** Drop the connection without an answer. */
  | { destroy: true };

export type Responder = (call: RecordedCall, fake: FakeWeCom) => Reply;

export const wecomError = (errcode: number, errmsg = 'error'): Reply => ({ json: { errcode, errmsg } });

export class FakeWeCom {
  readonly calls: RecordedCall[] = [];
  /** Tokens WeCom currently accepts; tests remove one to simulate early invalidation. */
  readonly validTokens = new Set<string>();
  tokenCounter = 0;
  expiresIn = 7200;
  #server: Server | undefined;
  #scripts = new Map<string, Reply[]>();
  #defaults = new Map<string, Responder>();
  #hanging: ServerResponse[] = [];
  baseUrl = '';

  constructor() {
    this.#defaults.set('/cgi-bin/gettoken', (call) => {
      if (call.query.get('corpid') !== APP.corpId) return wecomError(40013, 'invalid corpid');
      if (call.query.get('corpsecret') !== APP.secret) return wecomError(40001, 'invalid credential');
      const token = `ACCESS-TOKEN-${++this.tokenCounter}-0123456789`;
      this.validTokens.add(token);
      return { json: { errcode: 0, errmsg: 'ok', access_token: token, expires_in: this.expiresIn } };
    });
    this.#defaults.set('/cgi-bin/user/get', (call) =>
      this.#withToken(call, () =>
        call.query.get('userid') === 'zhangsan'
          ? { json: { errcode: 0, errmsg: 'ok', userid: 'zhangsan', name: '张三', department: [1, 2], status: 1 } }
          : wecomError(60111, 'userid not found'),
      ),
    );
    this.#defaults.set('/cgi-bin/auth/getuserinfo', (call) =>
      this.#withToken(call, () => {
        const code = call.query.get('code') ?? '';
        if (code.startsWith('member')) return { json: { errcode: 0, errmsg: 'ok', userid: 'zhangsan' } };
        if (code.startsWith('ticket')) {
          return { json: { errcode: 0, errmsg: 'ok', userid: 'zhangsan', user_ticket: 'TICKET-1', expires_in: 1800 } };
        }
        if (code.startsWith('outsider')) {
          return { json: { errcode: 0, errmsg: 'ok', openid: 'oOPENID123', external_userid: 'wmEXT1' } };
        }
        return wecomError(40029, 'invalid code');
      }),
    );
    this.#defaults.set('/cgi-bin/auth/getuserdetail', (call) =>
      this.#withToken(call, () => {
        const ticket = (call.body as { user_ticket?: unknown } | undefined)?.user_ticket;
        return ticket === 'TICKET-1'
          ? {
              json: {
                errcode: 0,
                errmsg: 'ok',
                userid: 'zhangsan',
                gender: '1',
                avatar: 'https://wework.qpic.cn/avatar/0',
                mobile: '13800000000',
                email: 'zs@example.com',
                biz_mail: 'zhangsan@corp.example',
              },
            }
          : wecomError(40029, 'invalid user_ticket');
      }),
    );
    this.#defaults.set('/cgi-bin/department/get', (call) =>
      this.#withToken(call, () => ({
        json: {
          errcode: 0,
          errmsg: 'ok',
          department: { id: Number(call.query.get('id')), name: '研发部', name_en: 'R&D', parentid: 1, order: 10 },
        },
      })),
    );
  }

  async start(): Promise<this> {
    this.#server = createServer((request, response) => void this.#handle(request, response));
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}${PREFIX}`;
    return this;
  }

  async close(): Promise<void> {
    for (const response of this.#hanging) response.destroy();
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  /** Replies for the next calls to `path`, in order; afterwards the default answers again. */
  script(path: string, ...replies: Reply[]): void {
    this.#scripts.set(path, [...(this.#scripts.get(path) ?? []), ...replies]);
  }

  /** Replaces the default answer for `path`. */
  respond(path: string, responder: Responder): void {
    this.#defaults.set(path, responder);
  }

  count(path: string): number {
    return this.calls.filter((call) => call.path === path).length;
  }

  #withToken(call: RecordedCall, answer: () => Reply): Reply {
    const token = call.query.get('access_token');
    if (!token) return wecomError(41001, 'access_token missing');
    return this.validTokens.has(token) ? answer() : wecomError(42001, 'access_token expired');
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    let text = '';
    for await (const chunk of request) text += String(chunk);
    if (!url.pathname.startsWith(`${PREFIX}/`)) {
      response.writeHead(404).end('not found');
      return;
    }
    const call: RecordedCall = {
      path: url.pathname.slice(PREFIX.length),
      query: url.searchParams,
      body: text ? (JSON.parse(text) as unknown) : undefined,
    };
    this.calls.push(call);
    const scripted = this.#scripts.get(call.path)?.shift();
    const reply = scripted ?? this.#defaults.get(call.path)?.(call, this) ?? { status: 404, text: 'not found' };
    if ('hang' in reply) {
      this.#hanging.push(response);
    } else if ('destroy' in reply) {
      request.socket.destroy();
    } else if ('json' in reply) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply.json));
    } else {
      response.writeHead(reply.status, { 'content-type': 'text/html' }).end(reply.text);
    }
  }
}
