/** The WeCom client's public surface: what the interaction and accounts layers may use. */
export {
  WECOM_ERRCODES,
  UNKNOWN_ERRCODE,
  WeComError,
  WeComTransportError,
  errcodeEntry,
  isWeComError,
  isWeComFailure,
  isWeComTransportError,
  type WeComErrcodeEntry,
  type WeComErrorCategory,
  type WeComFailure,
  type WeComRetryPolicy,
  type WeComTransportReason,
} from './api/errors.js';
export { WeComHttp, type WeComHttpOptions, type WeComJson } from './api/http.js';
export {
  AccessTokenCache,
  MemoryAccessTokenStore,
  REFRESH_BEFORE_EXPIRY_MS,
  type AccessTokenCacheOptions,
  type AccessTokenOwner,
  type FetchAccessToken,
  type FetchedAccessToken,
} from './api/token-cache.js';
export {
  DEFAULT_BUSY_RETRY_DELAYS_MS,
  WeComClient,
  type LoginIdentity,
  type WeComApp,
  type WeComClientOptions,
} from './api/client.js';
export type { WeComDepartment, WeComGender, WeComMember, WeComUserDetail } from './api/responses.js';
export {
  LOGIN_STATE_PATTERN,
  WECOM_PANEL_ORIGIN,
  buildInClientAuthorizeUrl,
  buildQrLoginUrl,
  type InClientAuthorizeUrlParams,
  type InClientScope,
  type QrLoginLanguage,
  type QrLoginUrlParams,
} from './login/urls.js';
export { toMemberProfile, type MemberProfile } from './api/profile.js';
export { DepartmentNames, DEPARTMENT_NAME_TTL_MS } from './api/department-names.js';
export { ACTIVE_MEMBER_STATUS, readMemberStanding, type MemberStanding } from './api/member-standing.js';
export {
  BREAKER_ERRCODES,
  BREAKER_INITIAL_MS,
  BREAKER_MAX_MS,
  GettokenBreaker,
  type GettokenBreakerOptions,
} from './api/gettoken-breaker.js';
