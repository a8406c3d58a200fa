/**
 * The simulator's fixed facts, one place each. Lifetimes are WeCom's documented ones (91039 gettoken,
 * 91023 getuserinfo, 95833 getuserdetail) so that clients meet the same clock edges as in production.
 */

/** access_token lifetime, as WeCom's `expires_in`. */
export const ACCESS_TOKEN_TTL_SECONDS = 7200;

/** A login code is single use and expires 5 minutes after it was issued. */
export const LOGIN_CODE_TTL_MS = 5 * 60 * 1000;

/** user_ticket lifetime (in-client `snsapi_privateinfo` only). */
export const USER_TICKET_TTL_SECONDS = 1800;

/** In-client OAuth `state`: only `[a-zA-Z0-9]`, at most 128 bytes (91022; errcode 84025 otherwise). */
export const IN_CLIENT_STATE = /^[a-zA-Z0-9]{0,128}$/;

/** Which member is "signed into the WeCom client" for in-client OAuth. Path-scoped to the simulator. */
export const MEMBER_COOKIE = 'wwsim_member';

/** The server APIs the simulator counts and can fail on demand. */
export const SIMULATED_APIS = ['gettoken', 'getuserinfo', 'user/get', 'getuserdetail', 'department/get'] as const;
export type SimulatedApi = (typeof SIMULATED_APIS)[number];

/** Shown at the top of every page, so nobody mistakes the stand-in for WeCom. */
export const SIMULATOR_LABEL = 'WeCom simulator — not the real WeCom';
export const SIMULATOR_LABEL_ZH = '企业微信模拟器 — 并非真实的企业微信';
