/**
 * What the interaction routes need, passed in once when the router is built (no module-level
 * singletons, so tests can run several servers in one process).
 */
import type Provider from 'oidc-provider';
import type { AccountService } from '../../accounts/service.js';
import type { ConnectionRegistry, DepartmentNames, WeComClient } from '../../wecom/index.js';
import { langDecision } from '../pages/language.js';
import type { Context } from 'koa';
import type { Logger } from '../../observability/log.js';
import type { SignInRecorder } from '../../observability/metrics.js';
import type { PageRenderer } from '../pages/render.js';
import type { PanelStates } from './login-state.js';
import type { Lang, LoginStateStore, ModelStore } from '../../model/index.js';

export interface InteractionDeps {
  provider: Provider;
  /** The issuer URL without a trailing slash; our callback URLs are built on it. */
  issuer: string;
  /** The issuer's path ('' or e.g. '/oidc'), under which our routes are mounted. */
  basePath: string;
  connections: ConnectionRegistry;
  wecom: WeComClient;
  departmentNames: DepartmentNames;
  accounts: AccountService;
  loginStates: LoginStateStore;
  /** Makes and recognises the embedded panel's states (derived from the attempt, not stored). */
  panelStates: PanelStates;
  /** For records that live with an interaction (a member waiting on the bind page). */
  models: ModelStore;
  pages: PageRenderer;
  /** Where browsers go for WeCom's QR login (real WeCom, or the simulator). */
  qrLoginBase: string;
  /** Where browsers inside the WeCom client go for in-client OAuth. */
  oauthBase: string;
  /** Show WeCom's embedded QR panel on the login page (config `wecom.embeddedPanel`). */
  embeddedPanel: boolean;
  /** The origin the panel's iframe comes from: WeCom's, or ours when the simulator stands in for it. */
  panelOrigin: string;
  log: Logger;
  /** Counts how sign-ins end (the metrics), when metrics are on. */
  signIns?: SignInRecorder;
  now?: () => number;
}

export type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

export type InteractionPaths = ReturnType<typeof interactionPaths>;

export function interactionPaths(basePath: string, uid: string) {
  const root = `${basePath}/interaction/${encodeURIComponent(uid)}`;
  return {
    root,
    abort: `${root}/abort`,
    consent: `${root}/consent`,
    start: (connection: string) => `${root}/wecom/${encodeURIComponent(connection)}`,
    /** Start with the QR code even inside the WeCom client (the "scan a QR code instead" link). */
    startQr: (connection: string) => `${root}/wecom/${encodeURIComponent(connection)}?via=qr`,
    bindWith: (connection: string) => `${root}/bind/${encodeURIComponent(connection)}`,
    bindNew: `${root}/bind-new`,
    callback: (connection: string) => `${root}/wecom/${encodeURIComponent(connection)}/callback`,
  };
}

/**
 * The page language for this sign-in attempt: the app's ui_locales, else the person's choice on the
 * language switch, else the browser's preference.
 */
export function langOf(ctx: Context, details: InteractionDetails | undefined): Lang {
  return langDecision(ctx, details?.params.ui_locales).lang;
}

/**
 * The language fields of a page of this attempt: its language, whether the app fixed it, and where
 * the switch leads: the attempt's own page, which can always be shown again (unlike, say, a WeCom
 * callback, whose code works once).
 */
export function pageLang(ctx: Context, details: InteractionDetails | undefined, basePath: string) {
  const { lang, byApp } = langDecision(ctx, details?.params.ui_locales);
  return { lang, langByApp: byApp, langSwitchUrl: details ? interactionPaths(basePath, details.uid).root : undefined };
}

/** An authorization request parameter as text ('' when absent; oidc-provider types them loosely). */
export function paramText(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
