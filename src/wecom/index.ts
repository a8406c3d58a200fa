/**
 * Everything this service knows about WeCom, behind one face. Other rooms import only this file.
 *
 * - Connections: the configured self-built apps (`ConnectionRegistry`) and where WeCom is
 *   (`resolveWeComEndpoints`: real WeCom, or the simulator).
 * - Signing in: which way a browser goes (`loginMethodFor`), where it goes (`loginTarget`), the
 *   embedded QR panel (`panelConfig`), and what the callback's code proves (`verifyLoginCode`).
 * - Members after sign-in: where a member stands now (`readMemberStanding`), department names for
 *   the groups claim, and contact-change events (`ContactEventReceiver`).
 * - The API client underneath: `WeComClient` over `WeComHttp`, the access-token cache, the gettoken
 *   breaker, and the one errcode table (`errcodeEntry`); errors are typed values, never strings.
 *
 * A second identity source would be a sibling room with the same shape: a registry, a login
 * target, a callback verifier and a member re-check; the web and accounts rooms would not change.
 */

// Connections and endpoints.
export { ConnectionRegistry, type Connection } from './connections.js';
export { SIMULATOR_PATH, resolveWeComEndpoints } from './endpoints.js';
export { testConnection, type ConnectionTestResult } from './connection-test.js';

// Signing in.
export { isPhoneBrowserOutsideWeCom } from './login/user-agent.js';
export { loginMethodFor, loginTarget, type BrowserEndpoints, type LoginBrowser, type LoginMethod } from './login/target.js';
export { WECOM_PANEL_ORIGIN, panelConfig, type PanelConfig } from './login/panel.js';
export { verifyLoginCode, type MemberVerificationFailure, type VerifiedMember, type VerifyOutcome } from './login/verify-member.js';

// Members after sign-in.
export { ACTIVE_MEMBER_STATUS, readMemberStanding, type InactiveReason, type MemberStanding } from './api/member-standing.js';
export { toMemberProfile, type MemberProfile } from './api/profile.js';
export { DepartmentNames } from './api/department-names.js';
export {
  CALLBACK_TOKEN_PATTERN,
  ENCODING_AES_KEY_PATTERN,
  ContactEventReceiver,
  contactEventXml,
  CallbackKey,
  messageSignature,
  type CallbackQuery,
  type CallbackRejection,
  type ContactEvent,
  type EventsSecrets,
} from './events/index.js';

// The API client.
export { createWeComServices, type WeComServices } from './services.js';
export { WeComClient, type WeComApp } from './api/client.js';
export { WeComHttp } from './api/http.js';
export { AccessTokenCache, MemoryAccessTokenStore } from './api/token-cache.js';
export { GettokenBreaker } from './api/gettoken-breaker.js';
export { WeComError, errcodeEntry, isWeComError, isWeComTransportError, type WeComTransportError } from './api/errors.js';
export type { WeComMember } from './api/responses.js';
