/**
 * The one place that speaks HTTP to WeCom's server API.
 *
 * WeCom answers HTTP 200 with `{errcode, errmsg, …}` for both success and failure, so the decision
 * is made on `errcode` alone (never on `errmsg`, whose wording changes). got's own retries are off:
 * whether a call may be repeated depends on the errcode (retrying a bad secret gets our IP blocked),
 * which only the layer above knows. Every failure leaves here as `WeComError` or
 * `WeComTransportError`, and neither carries the request URL: its query holds `corpsecret` or
 * `access_token`.
 */
import got, { RequestError, TimeoutError, type Got } from 'got';
import { WeComError, WeComTransportError } from './errors.js';
import { proxyAgents, resolveWeComProxy } from './proxy.js';
import { joinUrl } from './url.js';

/** A successful WeCom answer (errcode 0), fields not yet validated. */
export type WeComJson = Record<string, unknown>;

export interface WeComHttpOptions {
  /** e.g. https://qyapi.weixin.qq.com, or the simulator's base which has a path. */
  apiBase: string;
  /** One attempt, connect to last byte, unless the caller gives a shorter budget per call. */
  timeoutMs: number;
  /** Told of every call (the metrics): WeCom's errcode ('0' on success) or `transport:<reason>`. */
  onCall?: (api: string, errcode: string, seconds: number) => void;
  /** `wecom.proxy`; without it HTTPS_PROXY/NO_PROXY decide (see proxy.ts). */
  proxy?: string;
  /** Until the TCP (and TLS) connection is up. Default: the whole timeout. */
  connectTimeoutMs?: number;
  /** From the request sent until WeCom's answer starts. Default: the whole timeout. */
  responseTimeoutMs?: number;
}

/** Per-call options. */
export interface WeComCallOptions {
  /** This attempt's whole budget (connect to last byte), when shorter than `timeoutMs`. */
  timeoutMs?: number;
}

/** got's timeout phases that end before a single byte of the request was sent. */
const BEFORE_SENDING = new Set(['lookup', 'connect', 'secureConnect']);
/** Node's error codes for a request that never left this machine. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

export class WeComHttp {
  readonly #apiBase: string;
  readonly #timeoutMs: number;
  readonly #got: Got;
  readonly #onCall: WeComHttpOptions['onCall'];
  /** The proxy every call goes through, if any (decided once: the API base does not change). */
  readonly proxy: URL | undefined;

  constructor(options: WeComHttpOptions) {
    this.#apiBase = options.apiBase;
    this.#timeoutMs = options.timeoutMs;
    this.#onCall = options.onCall;
    this.proxy = resolveWeComProxy(options.apiBase, options.proxy);
    const connect = options.connectTimeoutMs ?? options.timeoutMs;
    this.#got = got.extend({
      timeout: {
        request: options.timeoutMs,
        connect,
        secureConnect: connect,
        response: options.responseTimeoutMs ?? options.timeoutMs,
      },
      retry: { limit: 0 },
      throwHttpErrors: false,
      // WeCom never redirects; a redirect means a misconfigured base or a proxy login page.
      followRedirect: false,
      responseType: 'text',
      // Stated, not assumed: the access_token and secret must only ever travel to a verified host.
      https: { rejectUnauthorized: true },
      ...(this.proxy ? { agent: proxyAgents(this.proxy) } : {}),
    });
  }

  /** GET `path` (e.g. '/cgi-bin/gettoken'); `api` names the call in errors and logs. */
  get(api: string, path: string, searchParams: Record<string, string>, options: WeComCallOptions = {}): Promise<WeComJson> {
    return this.#send({ api, method: 'GET', path, searchParams, options });
  }

  post(api: string, path: string, searchParams: Record<string, string>, jsonBody: unknown, options: WeComCallOptions = {}): Promise<WeComJson> {
    return this.#send({ api, method: 'POST', path, searchParams, jsonBody, options });
  }

  /** One call, told to `onCall` (the metrics) with WeCom's errcode or the transport failure. */
  async #send(request: WeComRequest): Promise<WeComJson> {
    if (!this.#onCall) return this.#exchange(request);
    const started = performance.now();
    let outcome = 'unknown';
    try {
      const answer = await this.#exchange(request);
      outcome = '0';
      return answer;
    } catch (error) {
      if (error instanceof WeComError) outcome = String(error.errcode);
      else if (error instanceof WeComTransportError) outcome = `transport:${error.reason}`;
      throw error;
    } finally {
      this.#onCall(request.api, outcome, (performance.now() - started) / 1000);
    }
  }

  async #exchange({ api, method, path, searchParams, jsonBody, options }: WeComRequest): Promise<WeComJson> {
    const url = joinUrl(this.#apiBase, path);
    for (const [name, value] of Object.entries(searchParams)) url.searchParams.set(name, value);

    let statusCode: number;
    let body: string;
    try {
      const budget = Math.min(options.timeoutMs ?? this.#timeoutMs, this.#timeoutMs);
      const timeout = budget < this.#timeoutMs ? { timeout: { request: budget } } : {};
      const response = await this.#got(url, method === 'POST' ? { method, json: jsonBody, ...timeout } : { method, ...timeout });
      statusCode = response.statusCode;
      body = response.body;
    } catch (error) {
      // Deliberately not `{ cause: error }`: got's errors quote the full URL, query included.
      throw this.#transportError(api, error);
    }

    if (statusCode !== 200) {
      throw new WeComTransportError(api, 'http_status', `unexpected HTTP status ${statusCode}`, statusCode);
    }
    const answer = parseAnswer(body);
    if (!answer) throw new WeComTransportError(api, 'invalid_response', 'answer is not a WeCom JSON object');

    const { errcode, errmsg } = answer;
    if (errcode === 0) return answer;
    throw new WeComError(errcode, api, typeof errmsg === 'string' ? errmsg : undefined);
  }

  #transportError(api: string, error: unknown): WeComTransportError {
    if (error instanceof TimeoutError) {
      const phase = error.event;
      const detail =
        phase === 'request'
          ? `request timed out after ${this.#timeoutMs} ms`
          : BEFORE_SENDING.has(phase)
            ? `could not connect in time (${phase})`
            : `timed out (${phase})`;
      return new WeComTransportError(api, 'timeout', detail, undefined, BEFORE_SENDING.has(phase));
    }
    // Node's error codes (ECONNREFUSED, CERT_HAS_EXPIRED…) are fixed identifiers, safe to show.
    const code = error instanceof RequestError && /^[A-Z0-9_]{1,64}$/.test(error.code) ? error.code : undefined;
    if (code && /CERT|SSL|TLS/.test(code)) {
      return new WeComTransportError(api, 'tls', `TLS verification failed (${code})`);
    }
    return new WeComTransportError(
      api,
      'network',
      code ? `network error (${code})` : 'network error',
      undefined,
      Boolean(code && NOT_SENT_CODES.has(code)),
    );
  }
}

interface WeComRequest {
  api: string;
  method: 'GET' | 'POST';
  path: string;
  searchParams: Record<string, string>;
  jsonBody?: unknown;
  options: WeComCallOptions;
}

/** A WeCom answer is a JSON object with a numeric errcode; anything else is not WeCom speaking. */
function parseAnswer(body: string): (WeComJson & { errcode: number }) | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const answer = parsed as WeComJson;
  return typeof answer.errcode === 'number' && Number.isInteger(answer.errcode) ? (answer as WeComJson & { errcode: number }) : undefined;
}
