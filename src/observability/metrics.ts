/**
 * What the service counts and times, exposed in the Prometheus text format by prom-client.
 *
 * Each server gets its own registry (not prom-client's global one): the tests run several servers
 * in one process, and two registries must never share a counter. Label values are always from a
 * small, fixed set (route templates, outcome names, WeCom API names and errcodes), never from
 * request data, so anonymous callers cannot grow the exposition.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds; from a cached discovery answer (sub-millisecond) to a WeCom call near its timeout. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** How a sign-in attempt that reached WeCom's callback ended. */
export type SignInOutcome = 'signed_in' | 'needs_binding' | 'cancelled' | 'refused';

export interface SignInRecorder {
  /** `reason` says why a refused sign-in was refused (e.g. `non_member`, `state_invalid`). */
  signIn(outcome: SignInOutcome, reason?: string): void;
}

export interface WeComCallRecorder {
  /**
   * One HTTP call to WeCom's API: `errcode` is WeCom's answer ('0' on success), or
   * `transport:<reason>` when no WeCom answer arrived (timeout, network, …).
   */
  wecomCall(api: string, errcode: string, seconds: number): void;
}

export class Metrics implements SignInRecorder, WeComCallRecorder {
  readonly registry = new Registry();
  readonly #http: Histogram<'method' | 'route' | 'status'>;
  readonly #signIns: Counter<'outcome' | 'reason'>;
  readonly #wecomCalls: Counter<'api' | 'errcode'>;
  readonly #wecomLatency: Histogram<'api'>;
  readonly #tokenFetches: Counter<'result'>;
  readonly #storage: Histogram<'store' | 'operation' | 'result'>;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.#http = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by method, route template and status code, from the first byte read to the last byte sent.',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#signIns = new Counter({
      name: 'wecom_oidc_sign_ins_total',
      help: 'WeCom sign-ins that came back from WeCom, by outcome (signed_in, needs_binding, cancelled, refused) and refusal reason.',
      labelNames: ['outcome', 'reason'],
      registers,
    });
    this.#wecomCalls = new Counter({
      name: 'wecom_api_calls_total',
      help: "Calls to WeCom's server API by API and errcode (0: success; transport:<reason>: no WeCom answer).",
      labelNames: ['api', 'errcode'],
      registers,
    });
    this.#wecomLatency = new Histogram({
      name: 'wecom_api_call_duration_seconds',
      help: "Latency of calls to WeCom's server API by API, whatever the answer.",
      labelNames: ['api'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#tokenFetches = new Counter({
      name: 'wecom_access_token_fetches_total',
      help: 'access_token fetches (gettoken) made because the cache had no usable token, by result (ok, error).',
      labelNames: ['result'],
      registers,
    });
    this.#storage = new Histogram({
      name: 'wecom_oidc_storage_operation_duration_seconds',
      help: 'Storage operations by store (models, accounts, loginStates, keys, accessTokens), operation and result (ok, error).',
      labelNames: ['store', 'operation', 'result'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.#http.observe({ method: KNOWN_METHODS.has(method) ? method : 'OTHER', route, status: String(status) }, seconds);
  }

  signIn(outcome: SignInOutcome, reason = ''): void {
    this.#signIns.inc({ outcome, reason });
  }

  wecomCall(api: string, errcode: string, seconds: number): void {
    this.#wecomCalls.inc({ api, errcode });
    this.#wecomLatency.observe({ api }, seconds);
    // Every gettoken is a fetch the token cache decided to make (it never calls WeCom otherwise).
    if (api === 'gettoken') this.#tokenFetches.inc({ result: errcode === '0' ? 'ok' : 'error' });
  }

  storageOperation(store: string, operation: string, ok: boolean, seconds: number): void {
    this.#storage.observe({ store, operation, result: ok ? 'ok' : 'error' }, seconds);
  }

  /** The exposition, and the content type to send it with. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** Methods are a label; anything else a client invents is counted as OTHER. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);
