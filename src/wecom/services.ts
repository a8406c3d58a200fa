/**
 * The WeCom services a process builds once: the API client, with its access tokens kept in the
 * store (replicas sharing a store share one token and one refresh) and the gettoken breaker (a
 * wrong secret is not presented again in a loop), and the department-name cache behind the groups
 * claim. The server and the offline admin CLI build them here, so both call WeCom the same way.
 */
import type { WeComEndpoints } from '../config/schema.js';
import type { AccessTokenStore } from '../model/index.js';
import type { Logger } from '../observability/log.js';
import { WeComClient } from './api/client.js';
import { DepartmentNames } from './api/department-names.js';
import { GettokenBreaker } from './api/gettoken-breaker.js';
import { WeComHttp } from './api/http.js';
import { AccessTokenCache } from './api/token-cache.js';

export interface WeComServicesOptions {
  endpoints: WeComEndpoints;
  tokenStore: AccessTokenStore;
  log: Logger;
  /** Told of every API call (the metrics): WeCom's errcode ('0' on success) or `transport:<reason>`. */
  onCall?: (api: string, errcode: string, seconds: number) => void;
}

export interface WeComServices {
  client: WeComClient;
  departmentNames: DepartmentNames;
}

export function createWeComServices(options: WeComServicesOptions): WeComServices {
  const { endpoints, log } = options;
  const client = new WeComClient({
    http: new WeComHttp({ ...endpoints, ...(options.onCall ? { onCall: options.onCall } : {}) }),
    timeoutMs: endpoints.timeoutMs,
    tokenCache: new AccessTokenCache({ store: options.tokenStore }),
    log,
    breaker: new GettokenBreaker({ log }),
  });
  return { client, departmentNames: new DepartmentNames(client, log) };
}
