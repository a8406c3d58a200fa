/**
 * Renders the simulator's pages. Routes pass plain data; labels come from copy.ts and the directory;
 * eta escapes everything on output.
 */
import { createHash } from 'node:crypto';
import { Eta } from 'eta';
import { SIMULATOR_LABEL, SIMULATOR_LABEL_ZH } from './constants.js';
import { COPY } from './copy.js';
import { DEMO_WECHAT_USER, type DemoMember } from './directory.js';
import type { Lang, Problem } from './login-params.js';
import { TEMPLATES } from './templates.js';

export interface HiddenField {
  name: string;
  value: string;
}

interface PersonChoice {
  field: 'userid' | 'openid';
  value: string;
  label: string;
}

const QR_SIZE = 25;

/**
 * An SVG path for a QR-looking grid (three finder squares, noise from the seed); deliberately not a
 * scannable code. Only digits and path commands, so nothing in it needs escaping.
 */
export function qrPath(seed: string): string {
  const bits = createHash('sha256').update(seed).digest();
  const inFinder = (x: number, y: number) => (x < 8 && y < 8) || (x >= QR_SIZE - 8 && y < 8) || (x < 8 && y >= QR_SIZE - 8);
  const finderDark = (x: number, y: number) => {
    const fx = x >= QR_SIZE - 8 ? x - (QR_SIZE - 7) : x;
    const fy = y >= QR_SIZE - 8 ? y - (QR_SIZE - 7) : y;
    if (fx < 0 || fy < 0 || fx > 6 || fy > 6) return false;
    const ring = Math.min(fx, fy, 6 - fx, 6 - fy);
    return ring !== 1;
  };
  const cells: string[] = [];
  for (let y = 0; y < QR_SIZE; y += 1) {
    for (let x = 0; x < QR_SIZE; x += 1) {
      const index = y * QR_SIZE + x;
      const noise = ((bits[index % bits.length] ?? 0) >> (index % 8)) & 1;
      if (inFinder(x, y) ? finderDark(x, y) : noise === 1) cells.push(`M${x} ${y}h1v1h-1z`);
    }
  }
  return cells.join('');
}

/** One row of the directory admin page. */
export interface DirectoryRow {
  name: string;
  userid: string;
  status: string;
  scope: string;
  /** One-click changes: a form each, posting the userid. */
  actions: Array<{ action: string; label: string }>;
  canRename: boolean;
}

/** Where the directory admin page and its forms live, below the simulator's basePath. */
export const DIRECTORY_PATH = '/directory';

export function createViews(basePath: string) {
  const eta = new Eta({ autoEscape: true, autoTrim: false });
  for (const [name, template] of Object.entries(TEMPLATES)) eta.loadTemplate(name, template);

  const layout = (lang: Lang, title: string, wide = false) => ({
    lang,
    title,
    wide,
    label: SIMULATOR_LABEL,
    labelZh: SIMULATOR_LABEL_ZH,
    directoryHref: `${basePath}${DIRECTORY_PATH}?lang=${lang}`,
    directoryLink: COPY[lang].directoryLink,
  });

  return {
    qrLogin(input: {
      lang: Lang;
      /** The directory now: deleted members still scan (their code names them; user/get answers 60111). */
      members: readonly DemoMember[];
      corpId: string;
      agentId: string;
      returnHost: string;
      hidden: HiddenField[];
      confirmAction: string;
      cancelAction: string;
      /** In WeCom's embedded panel: forms navigate the top window (redirect_type=top). */
      redirectTop?: boolean;
    }): string {
      const t = COPY[input.lang];
      const people: PersonChoice[] = [
        ...input.members.map((member) => ({
          field: 'userid' as const,
          value: member.userid,
          label: t.scanAs(member.name, member.userid, member.note[input.lang]),
        })),
        {
          field: 'openid',
          value: DEMO_WECHAT_USER.openid,
          label: t.scanAs(DEMO_WECHAT_USER.name, 'openid', DEMO_WECHAT_USER.note[input.lang]),
        },
      ];
      return eta.render('@qr-login', {
        ...input,
        t,
        layout: layout(input.lang, t.qrTitle),
        appLine: t.appLine(input.corpId, input.agentId),
        returnLine: t.returnLine(input.returnHost),
        qrPath: qrPath(`${input.corpId}/${input.agentId}/${input.hidden.map((field) => field.value).join('/')}`),
        people,
      });
    },

    /** The QR login page as WeCom's embedded panel shows it (compact; talks to the SDK by script). */
    qrPanel(input: {
      lang: Lang;
      corpId: string;
      agentId: string;
      hidden: HiddenField[];
      confirmAction: string;
      cancelAction: string;
      parentOrigin: string;
      script: string;
      /** The directory now, as on the full-page QR login. */
      members: readonly DemoMember[];
    }): string {
      const t = COPY[input.lang];
      const people = [
        ...input.members.map((member) => ({
          field: 'userid' as const,
          value: member.userid,
          name: member.name,
          id: member.userid,
          note: member.note[input.lang],
          canSignIn: member.status === 1 && member.visible && !member.deleted,
        })),
        {
          field: 'openid' as const,
          value: DEMO_WECHAT_USER.openid,
          name: DEMO_WECHAT_USER.name,
          id: 'openid',
          note: DEMO_WECHAT_USER.note[input.lang],
          canSignIn: false,
        },
      ];
      return eta.render('@qr-panel', {
        ...input,
        t,
        layout: { ...layout(input.lang, t.qrTitle), parentOrigin: input.parentOrigin, script: input.script },
        qrPath: qrPath(`${input.corpId}/${input.agentId}/${input.hidden.map((field) => field.value).join('/')}`),
        people,
      });
    },

    /** A request WeCom would refuse, inside the panel: shown there and reported to the SDK (onLoginFail). */
    panelError(problem: Problem, lang: Lang, parentOrigin: string | undefined, script: string): string {
      const t = COPY[lang];
      const loginFail = JSON.stringify({ errCode: problem.errcode ?? -1, errMsg: problem.en });
      return eta.render('@panel-error', {
        t,
        lang,
        problem,
        layout: { ...layout(lang, t.errorTitle), parentOrigin, script, loginFail },
      });
    },

    memberPicker(input: { lang: Lang; members: readonly DemoMember[]; hidden: HiddenField[]; action: string }): string {
      const t = COPY[input.lang];
      const people = input.members.map((member) => ({
        value: member.userid,
        label: t.signInAs(member.name, member.userid, member.note[input.lang]),
      }));
      return eta.render('@member-picker', { ...input, t, layout: layout(input.lang, t.pickTitle), people });
    },

    consent(input: { lang: Lang; hidden: HiddenField[]; agentId: string; member: DemoMember; action: string; switchAction: string }): string {
      const t = COPY[input.lang];
      return eta.render('@consent', {
        ...input,
        t,
        layout: layout(input.lang, t.consentTitle),
        consentText: t.consentText(input.agentId),
        signedInAs: t.signedInAs(input.member.name, input.member.userid),
      });
    },

    error(problem: Problem, lang: Lang): string {
      const t = COPY[lang];
      return eta.render('@error', { t, problem, layout: layout(lang, t.errorTitle) });
    },

    index(input: {
      lang: Lang;
      apps: ReadonlyArray<{ corpId: string; agentId: string; legacyContactFields: boolean }>;
      members: readonly DemoMember[];
    }): string {
      const t = COPY[input.lang];
      const people = [
        ...input.members.map((member) => ({
          name: member.name,
          id: member.userid,
          status: member.deleted ? t.deleted : t.statusLabel(member.status),
          note: member.note[input.lang],
        })),
        { name: DEMO_WECHAT_USER.name, id: DEMO_WECHAT_USER.openid, status: '—', note: DEMO_WECHAT_USER.note[input.lang] },
      ];
      return eta.render('@index', { t, apps: input.apps, people, layout: layout(input.lang, t.indexTitle) });
    },

    directory(input: {
      lang: Lang;
      rows: DirectoryRow[];
      csrf: string;
      renameAction: string;
      addAction: string;
      /** The events URLs changes are called back to. */
      targets: readonly string[];
      deliveries: ReadonlyArray<{ connection: string; changeType: string; userid: string; outcome: string; attempts: string }>;
      notice?: string;
      problem?: string;
    }): string {
      const t = COPY[input.lang];
      return eta.render('@directory', { ...input, t, layout: layout(input.lang, t.directoryTitle, true) });
    },

    avatarSvg(member: DemoMember): string {
      const hue = createHash('sha256').update(member.userid).digest()[0] ?? 0;
      return eta.render('@avatar-svg', { color: `hsl(${(hue * 360) / 256}, 55%, 45%)`, initial: member.name.slice(0, 1) });
    },

    qrSvg(seed: string): string {
      return eta.render('@qr-svg', { qrPath: qrPath(seed) });
    },
  };
}

export type Views = ReturnType<typeof createViews>;
