/**
 * The sign-in decision of AccountService.signInWithWeCom, row by row, on the real lowdb account
 * store (a temp file): given the accounts in the store, the connection's settings and the member
 * WeCom vouched for, the outcome and what the store holds afterwards. No server, no WeCom.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../observability/log.js';
import { openLowdbStorage, type LowdbStorage } from '../storage/lowdb/index.js';
import type { Account, AccountProfile, AccountStore, MatchField } from '../model/index.js';
import type { MemberProfile } from '../wecom/index.js';
import type { AccessRevoker } from './lifecycle.js';
import { AccountService, provisionedAccountId, type SignInOutcome, type WeComSignIn } from './service.js';

const CORP = 'wwcorp';
const T0 = 1_700_000_000;
/** Seeded accounts were linked and last looked at long before the sign-ins under test. */
const LONG_AGO = T0 - 86_400;

let clock = T0 * 1000;
const now = () => clock;

const opened: { storage: LowdbStorage; dir: string }[] = [];
afterEach(async () => {
  for (const { storage, dir } of opened.splice(0)) {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
  clock = T0 * 1000;
});

async function openStore(): Promise<LowdbStorage> {
  const dir = mkdtempSync(join(tmpdir(), 'wecom-oidc-signin-'));
  const storage = await openLowdbStorage({ path: join(dir, 'db.json'), now });
  opened.push({ storage, dir });
  return storage;
}

/** Our own port, so a recording fake: which accounts had their access ended. */
class RecordingRevoker implements AccessRevoker {
  readonly ended: string[] = [];
  async endAccess(accountId: string) {
    this.ended.push(accountId);
    return { revoked: 3, notified: 1 };
  }
}

type Association = WeComSignIn['connection']['association'];
const OFF: Association = { mode: 'off' };
const BIND: Association = { mode: 'bind' };
const match = (...fields: MatchField[]): Association => ({ mode: 'match', fields });

function signIn(member: Partial<MemberProfile> & { userid: string }, association: Association = OFF, loginOnly = false): WeComSignIn {
  return {
    connection: { identifier: 'wecom', association, loginOnly },
    corpId: CORP,
    member: { department: [1], emailVerified: false, ...member },
  };
}

/** An account before the sign-in. `linked`: userids in CORP, or `corp/userid` elsewhere. */
interface Seed {
  id: string;
  profile?: Partial<AccountProfile>;
  linked?: string[];
  disabled?: boolean;
  provisioned?: boolean;
  /** Linked, then its last member left the corp (lifecycle's retireIdentity). */
  retired?: boolean;
}

async function seed(accounts: AccountStore, seeds: Seed[]): Promise<void> {
  for (const { id, profile, linked = [], disabled = false, provisioned, retired } of seeds) {
    const identities = linked.map((entry) => {
      const [corpId, userid] = entry.includes('/') ? (entry.split('/') as [string, string]) : [CORP, entry];
      return { corpId, userid, connection: 'wecom', linkedAt: LONG_AGO };
    });
    const account: Account = {
      id,
      createdAt: LONG_AGO,
      updatedAt: LONG_AGO,
      disabled,
      profile: { username: id, ...profile },
      identities,
      ...(provisioned ? { provisioned } : {}),
    };
    expect((await accounts.createWithIdentity(account)).created).toBe(true);
    if (retired) {
      for (const identity of identities) {
        await accounts.retireIdentity(id, identity.corpId, identity.userid, LONG_AGO + 1);
      }
      expect((await accounts.findById(id))?.retiredAt).toBe(LONG_AGO + 1);
    }
  }
}

/**
 * The store as one line per account: `id` or `id=corp/userid,...`; an account that was not seeded
 * is named `new`, and `(disabled)` / `(retired)` follow when set.
 */
async function storeState(accounts: AccountStore, seeded: Set<string>): Promise<string[]> {
  return (await accounts.list())
    .map((account) => {
      const name = seeded.has(account.id) ? account.id : 'new';
      const links = account.identities
        .map((identity) => `${identity.corpId}/${identity.userid}`)
        .sort()
        .join(',');
      const marks = `${account.retiredAt !== undefined ? '(retired)' : account.disabled ? '(disabled)' : ''}`;
      return `${name}${marks}${links ? `=${links}` : ''}`;
    })
    .sort();
}

/** The outcome with the account replaced by its name as in storeState. */
function summary(outcome: SignInOutcome, seeded: Set<string>) {
  if (outcome.status !== 'signed_in') return outcome;
  const { account, ...rest } = outcome;
  return { ...rest, account: seeded.has(account.id) ? account.id : 'new' };
}

interface Row {
  name: string;
  accounts: Seed[];
  signIn: WeComSignIn;
  outcome: ReturnType<typeof summary>;
  after: string[];
}

const provisionedCarol: Seed = { id: 'prov', provisioned: true, profile: { username: 'carol', email: 'carol@example.com' } };
const afterClaim = ['prov=wwcorp/carol'];

const rows: Row[] = [
  // An identity already linked: signs in to its account, whatever the connection says.
  {
    name: 'a linked member signs in to their account',
    accounts: [{ id: 'alice', linked: ['alice'] }],
    signIn: signIn({ userid: 'alice' }),
    outcome: { status: 'signed_in', account: 'alice', created: false },
    after: ['alice=wwcorp/alice'],
  },
  {
    name: 'a linked member is found whatever the case of the userid WeCom returns',
    accounts: [{ id: 'alice', linked: ['alice'] }],
    signIn: signIn({ userid: 'ALICE' }),
    outcome: { status: 'signed_in', account: 'alice', created: false },
    after: ['alice=wwcorp/alice'],
  },
  {
    name: 'a linked member signs in on a login-only bind connection (the link comes first)',
    accounts: [
      { id: 'alice', linked: ['alice'] },
      { id: 'other', profile: { username: 'alice' } },
    ],
    signIn: signIn({ userid: 'alice' }, BIND, true),
    outcome: { status: 'signed_in', account: 'alice', created: false },
    after: ['alice=wwcorp/alice', 'other'],
  },
  {
    name: 'a linked member of a disabled account is refused',
    accounts: [{ id: 'alice', linked: ['alice'], disabled: true }],
    signIn: signIn({ userid: 'alice' }),
    outcome: { status: 'refused', reason: 'account_disabled', accountId: 'alice' },
    after: ['alice(disabled)=wwcorp/alice'],
  },

  // A provisioned account is claimed by its userid in every association mode.
  ...(
    [
      ['off', OFF, false],
      ['off, login-only', OFF, true],
      ['match on email', match('email'), false],
      ['match on username, login-only', match('username'), true],
      ['bind', BIND, false],
      ['bind, login-only', BIND, true],
    ] as const
  ).map(([label, association, loginOnly]): Row => ({
    name: `a provisioned account is claimed by its userid (association ${label})`,
    accounts: [provisionedCarol],
    signIn: signIn({ userid: 'Carol' }, association, loginOnly),
    outcome: { status: 'signed_in', account: 'prov', created: false, linkedBy: 'provisioned' },
    after: afterClaim,
  })),
  {
    name: 'a provisioned account wins over an association match on another account',
    accounts: [provisionedCarol, { id: 'bymail', profile: { username: 'c.wang', email: 'carol@corp.example' } }],
    signIn: signIn({ userid: 'carol', email: 'carol@corp.example' }, match('email')),
    outcome: { status: 'signed_in', account: 'prov', created: false, linkedBy: 'provisioned' },
    after: ['bymail', ...afterClaim],
  },
  {
    name: 'a provisioned account is claimed by its username only, not by email: association off creates',
    accounts: [provisionedCarol],
    signIn: signIn({ userid: 'c.wang', email: 'carol@example.com' }),
    outcome: { status: 'signed_in', account: 'new', created: true },
    after: ['new=wwcorp/c.wang', 'prov'],
  },
  {
    name: 'a disabled provisioned account is refused and stays unclaimed',
    accounts: [{ ...provisionedCarol, disabled: true }],
    signIn: signIn({ userid: 'carol' }),
    outcome: { status: 'refused', reason: 'account_disabled', accountId: 'prov' },
    after: ['prov(disabled)'],
  },
  {
    name: 'a provisioned account another member already claimed is not claimed again: a new account',
    accounts: [{ ...provisionedCarol, linked: ['carol.old'] }],
    signIn: signIn({ userid: 'carol' }),
    outcome: { status: 'signed_in', account: 'new', created: true },
    after: ['new=wwcorp/carol', 'prov=wwcorp/carol.old'],
  },
  {
    name: 'a provisioned account already claimed (from another corp) is not claimed: login-only refuses',
    accounts: [{ ...provisionedCarol, linked: ['wwother/carol'] }],
    signIn: signIn({ userid: 'carol' }, OFF, true),
    outcome: { status: 'refused', reason: 'not_provisioned' },
    after: ['prov=wwother/carol'],
  },

  // Association `match`: one candidate links, several refuse, none falls through.
  {
    name: 'match on username links the one account with that username',
    accounts: [{ id: 'acct', profile: { username: 'Dave' } }],
    signIn: signIn({ userid: 'dave' }, match('username')),
    outcome: { status: 'signed_in', account: 'acct', created: false, linkedBy: 'username' },
    after: ['acct=wwcorp/dave'],
  },
  {
    name: 'match on email links the one account with that email, case-insensitively',
    accounts: [{ id: 'acct', profile: { username: 'd.li', email: 'Dave@Example.com' } }],
    signIn: signIn({ userid: 'dave', email: 'dave@example.COM' }, match('email')),
    outcome: { status: 'signed_in', account: 'acct', created: false, linkedBy: 'email' },
    after: ['acct=wwcorp/dave'],
  },
  {
    name: 'match on phone_number ignores +86 and punctuation on the account side',
    accounts: [{ id: 'acct', profile: { username: 'd.li', phoneNumber: '+86 138-0013-8000' } }],
    signIn: signIn({ userid: 'dave', phoneNumber: '13800138000' }, match('phone_number')),
    outcome: { status: 'signed_in', account: 'acct', created: false, linkedBy: 'phone_number' },
    after: ['acct=wwcorp/dave'],
  },
  {
    name: 'match on phone_number ignores +86 on the member side',
    accounts: [{ id: 'acct', profile: { username: 'd.li', phoneNumber: '13800138000' } }],
    signIn: signIn({ userid: 'dave', phoneNumber: '+8613800138000' }, match('phone_number')),
    outcome: { status: 'signed_in', account: 'acct', created: false, linkedBy: 'phone_number' },
    after: ['acct=wwcorp/dave'],
  },
  {
    name: 'match tries the fields in the configured order: the first field with a candidate decides',
    accounts: [
      { id: 'byname', profile: { username: 'dave' } },
      { id: 'bymail', profile: { username: 'd.li', email: 'dave@example.com' } },
    ],
    signIn: signIn({ userid: 'dave', email: 'dave@example.com' }, match('email', 'username')),
    outcome: { status: 'signed_in', account: 'bymail', created: false, linkedBy: 'email' },
    after: ['byname', 'bymail=wwcorp/dave'],
  },
  {
    name: 'match skips a field WeCom did not return and goes on to the next',
    accounts: [
      { id: 'bymail', profile: { username: 'd.li', email: 'dave@example.com' } },
      { id: 'byphone', profile: { username: 'd.wang', phoneNumber: '13800138000' } },
    ],
    signIn: signIn({ userid: 'dave', phoneNumber: '13800138000' }, match('email', 'phone_number')),
    outcome: { status: 'signed_in', account: 'byphone', created: false, linkedBy: 'phone_number' },
    after: ['bymail', 'byphone=wwcorp/dave'],
  },
  {
    name: 'an account linked to another member of this corp is never a candidate',
    accounts: [{ id: 'taken', profile: { username: 'dave' }, linked: ['dave.old'] }],
    signIn: signIn({ userid: 'dave' }, match('username')),
    outcome: { status: 'signed_in', account: 'new', created: true },
    after: ['new=wwcorp/dave', 'taken=wwcorp/dave.old'],
  },
  {
    name: 'an account linked only in another corp is a candidate (one person, two corps)',
    accounts: [{ id: 'elsewhere', profile: { username: 'dave' }, linked: ['wwother/dave'] }],
    signIn: signIn({ userid: 'dave' }, match('username')),
    outcome: { status: 'signed_in', account: 'elsewhere', created: false, linkedBy: 'username' },
    after: ['elsewhere=wwcorp/dave,wwother/dave'],
  },
  {
    name: 'several accounts matching refuses as ambiguous and links nothing',
    accounts: [
      { id: 'one', profile: { username: 'd.li', email: 'dave@example.com' } },
      { id: 'two', profile: { username: 'd.wang', email: 'DAVE@example.com' } },
      { id: 'byname', profile: { username: 'dave' } },
    ],
    signIn: signIn({ userid: 'dave', email: 'dave@example.com' }, match('email', 'username')),
    outcome: { status: 'refused', reason: 'ambiguous_match', field: 'email', candidates: 2 },
    after: ['byname', 'one', 'two'],
  },
  {
    name: 'a matched account that is disabled refuses and links nothing',
    accounts: [{ id: 'acct', profile: { username: 'dave' }, disabled: true }],
    signIn: signIn({ userid: 'dave' }, match('username')),
    outcome: { status: 'refused', reason: 'account_disabled', accountId: 'acct' },
    after: ['acct(disabled)'],
  },
  {
    name: 'match finding nothing creates an account',
    accounts: [{ id: 'acct', profile: { username: 'someone', email: 'someone@example.com' } }],
    signIn: signIn({ userid: 'dave', email: 'dave@example.com' }, match('username', 'email')),
    outcome: { status: 'signed_in', account: 'new', created: true },
    after: ['acct', 'new=wwcorp/dave'],
  },
  {
    name: 'match finding nothing on a login-only connection refuses',
    accounts: [{ id: 'acct', profile: { username: 'someone' } }],
    signIn: signIn({ userid: 'dave' }, match('username'), true),
    outcome: { status: 'refused', reason: 'not_provisioned' },
    after: ['acct'],
  },

  // Association `bind`, login-only, and the default.
  {
    name: 'bind hands the choice to the person and creates nothing, even where a username matches',
    accounts: [{ id: 'acct', profile: { username: 'dave' } }],
    signIn: signIn({ userid: 'dave' }, BIND),
    outcome: { status: 'needs_binding' },
    after: ['acct'],
  },
  {
    name: 'bind on a login-only connection still hands the choice to the person',
    accounts: [],
    signIn: signIn({ userid: 'dave' }, BIND, true),
    outcome: { status: 'needs_binding' },
    after: [],
  },
  {
    name: 'login-only refuses a member with no account',
    accounts: [],
    signIn: signIn({ userid: 'dave' }, OFF, true),
    outcome: { status: 'refused', reason: 'not_provisioned' },
    after: [],
  },
  {
    name: 'association off creates a new account even where an unlinked account has the same username',
    accounts: [{ id: 'acct', profile: { username: 'dave' } }],
    signIn: signIn({ userid: 'Dave' }),
    outcome: { status: 'signed_in', account: 'new', created: true },
    after: ['acct', 'new=wwcorp/dave'],
  },

  // Retired accounts: the member left; a later member with the same userid is someone else.
  {
    name: 'a retired account is never matched: a new member with its userid gets a new account',
    accounts: [{ id: 'gone', profile: { username: 'erin', email: 'erin@example.com' }, linked: ['erin'], retired: true }],
    signIn: signIn({ userid: 'erin', email: 'erin@example.com' }, match('username', 'email')),
    outcome: { status: 'signed_in', account: 'new', created: true },
    after: ['gone(retired)', 'new=wwcorp/erin'],
  },
  {
    name: 'a retired provisioned account is never claimed: login-only refuses the new member',
    accounts: [{ ...provisionedCarol, linked: ['carol'], retired: true }],
    signIn: signIn({ userid: 'carol' }, OFF, true),
    outcome: { status: 'refused', reason: 'not_provisioned' },
    after: ['prov(retired)'],
  },
  {
    name: 'a retired provisioned account is never claimed: a new account instead',
    accounts: [{ ...provisionedCarol, linked: ['carol'], retired: true }],
    signIn: signIn({ userid: 'carol' }, match('email')),
    outcome: { status: 'signed_in', account: 'new', created: true },
    after: ['new=wwcorp/carol', 'prov(retired)'],
  },
];

describe('AccountService.signInWithWeCom: the decision table', () => {
  it.each(rows)('$name', async (row) => {
    const { accounts } = await openStore();
    await seed(accounts, row.accounts);
    const seeded = new Set(row.accounts.map((account) => account.id));
    const service = new AccountService(accounts, new RecordingRevoker(), createMemoryLogger(), now);

    const outcome = await service.signInWithWeCom(row.signIn);

    expect(summary(outcome, seeded)).toEqual(row.outcome);
    expect(await storeState(accounts, seeded)).toEqual([...row.after].sort());
    const linked = await accounts.findByIdentity(CORP, row.signIn.member.userid);
    if (outcome.status === 'signed_in') {
      // The member's identity now leads to the account signed in to, lower-cased, and the profile
      // follows WeCom (the userid in WeCom's case).
      expect(linked?.id).toBe(outcome.account.id);
      expect(outcome.account.profile.username).toBe(row.signIn.member.userid);
      const identity = outcome.account.identities.find((candidate) => candidate.corpId === CORP);
      expect(identity?.userid).toBe(row.signIn.member.userid.toLowerCase());
      if (outcome.created || outcome.linkedBy) expect(identity).toMatchObject({ connection: 'wecom', linkedAt: T0 });
    }
  });
});

describe('AccountService.signInWithWeCom: what a sign-in writes', () => {
  it('a new account carries the member profile and the identity, created and updated now', async () => {
    const { accounts } = await openStore();
    const service = new AccountService(accounts, new RecordingRevoker(), createMemoryLogger(), now);
    const outcome = await service.signInWithWeCom({
      ...signIn({ userid: 'Zoe', name: '赵', email: 'zoe@corp.example', emailVerified: true, phoneNumber: '13800138000', position: 'eng' }),
      groups: ['R&D'],
    });
    expect(outcome.status).toBe('signed_in');
    const stored = await accounts.findByIdentity(CORP, 'zoe');
    expect(stored).toMatchObject({
      createdAt: T0,
      updatedAt: T0,
      disabled: false,
      profile: {
        username: 'Zoe',
        corpId: CORP,
        name: '赵',
        email: 'zoe@corp.example',
        emailVerified: true,
        phoneNumber: '13800138000',
        position: 'eng',
        department: [1],
        groups: ['R&D'],
      },
      identities: [{ corpId: CORP, userid: 'zoe', connection: 'wecom', linkedAt: T0 }],
    });
    expect(stored?.provisioned).toBeUndefined();
  });

  it('a returning member: organisation fields follow WeCom, contact fields WeCom withheld are kept, updated_at moves', async () => {
    const { accounts } = await openStore();
    await seed(accounts, [
      {
        id: 'alice',
        linked: ['alice'],
        profile: {
          username: 'alice',
          corpId: CORP,
          name: 'Alice',
          position: 'old',
          department: [1],
          email: 'alice@example.com',
          emailVerified: false,
          phoneNumber: '13800138000',
        },
      },
    ]);
    const service = new AccountService(accounts, new RecordingRevoker(), createMemoryLogger(), now);
    await service.signInWithWeCom(signIn({ userid: 'alice', name: 'Alice Wang', position: 'new', department: [2] }));
    const stored = await accounts.findById('alice');
    expect(stored?.profile).toEqual({
      username: 'alice',
      corpId: CORP,
      name: 'Alice Wang',
      position: 'new',
      department: [2],
      email: 'alice@example.com',
      emailVerified: false,
      phoneNumber: '13800138000',
    });
    expect(stored?.updatedAt).toBe(T0);
  });

  it('a returning member whose profile did not change leaves updated_at alone', async () => {
    const { accounts } = await openStore();
    await seed(accounts, [{ id: 'alice', linked: ['alice'], profile: { username: 'alice', corpId: CORP, department: [1] } }]);
    const service = new AccountService(accounts, new RecordingRevoker(), createMemoryLogger(), now);
    await service.signInWithWeCom(signIn({ userid: 'alice' }));
    expect((await accounts.findById('alice'))?.updatedAt).toBe(LONG_AGO);
  });

  it('an ambiguous match is logged as a warning naming the field and the candidates', async () => {
    const { accounts } = await openStore();
    await seed(accounts, [
      { id: 'one', profile: { email: 'x@example.com' } },
      { id: 'two', profile: { email: 'x@example.com' } },
    ]);
    const log = createMemoryLogger();
    const service = new AccountService(accounts, new RecordingRevoker(), log, now);
    await service.signInWithWeCom(signIn({ userid: 'x', email: 'x@example.com' }, match('email')));
    const warnings = log.lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.level === 'warn');
    expect(warnings).toEqual([
      expect.objectContaining({ msg: expect.stringContaining('several accounts'), field: 'email', candidates: ['one', 'two'] }),
    ]);
  });
});

describe('AccountService.signInWithWeCom: the last good look (markChecked)', () => {
  async function identityOf(accounts: AccountStore, userid: string) {
    return structuredClone((await accounts.findByIdentity(CORP, userid))?.identities.find((identity) => identity.userid === userid));
  }

  it('is written on a sign-in, skipped for 60 s after, and written again from then', async () => {
    const { accounts } = await openStore();
    await seed(accounts, [{ id: 'alice', linked: ['alice'] }]);
    const service = new AccountService(accounts, new RecordingRevoker(), createMemoryLogger(), now);

    await service.signInWithWeCom(signIn({ userid: 'alice' }));
    expect(await identityOf(accounts, 'alice')).toMatchObject({ linkedAt: LONG_AGO, checkedAt: T0, checkedVia: 'sign_in' });

    clock = (T0 + 59) * 1000;
    await service.signInWithWeCom(signIn({ userid: 'alice' }));
    expect((await identityOf(accounts, 'alice'))?.checkedAt).toBe(T0);

    clock = (T0 + 60) * 1000;
    await service.signInWithWeCom(signIn({ userid: 'ALICE' }));
    expect((await identityOf(accounts, 'alice'))?.checkedAt).toBe(T0 + 60);
  });

  it('writes once for many sign-ins within 60 s', async () => {
    const { accounts } = await openStore();
    await seed(accounts, [{ id: 'alice', linked: ['alice'] }]);
    let writes = 0;
    const counting: AccountStore = Object.assign(Object.create(accounts) as AccountStore, {
      markChecked: (...args: Parameters<AccountStore['markChecked']>) => {
        writes += 1;
        return accounts.markChecked(...args);
      },
    });
    const service = new AccountService(counting, new RecordingRevoker(), createMemoryLogger(), now);
    for (let second = 0; second < 60; second += 10) {
      clock = (T0 + second) * 1000;
      await service.signInWithWeCom(signIn({ userid: 'alice' }));
    }
    expect(writes).toBe(1);
  });

  it('is not written right after a link: linking is itself a good look', async () => {
    const { accounts } = await openStore();
    await seed(accounts, [provisionedCarol]);
    const service = new AccountService(accounts, new RecordingRevoker(), createMemoryLogger(), now);
    await service.signInWithWeCom(signIn({ userid: 'carol' }));
    const identity = await identityOf(accounts, 'carol');
    expect(identity).toMatchObject({ linkedAt: T0 });
    expect(identity?.checkedAt).toBeUndefined();

    clock = (T0 + 61) * 1000;
    await service.signInWithWeCom(signIn({ userid: 'carol' }));
    expect(await identityOf(accounts, 'carol')).toMatchObject({ linkedAt: T0, checkedAt: T0 + 61, checkedVia: 'sign_in' });
  });

  it('is not written for a disabled account', async () => {
    const { accounts } = await openStore();
    await seed(accounts, [{ id: 'alice', linked: ['alice'], disabled: true }]);
    const service = new AccountService(accounts, new RecordingRevoker(), createMemoryLogger(), now);
    await service.signInWithWeCom(signIn({ userid: 'alice' }));
    expect((await identityOf(accounts, 'alice'))?.checkedAt).toBeUndefined();
  });
});

describe('AccountService.signInWithWeCom: concurrent sign-ins', () => {
  it('two first sign-ins of one member at once make one account', async () => {
    const { accounts } = await openStore();
    const service = new AccountService(accounts, new RecordingRevoker(), createMemoryLogger(), now);
    const outcomes = await Promise.all([service.signInWithWeCom(signIn({ userid: 'dave' })), service.signInWithWeCom(signIn({ userid: 'DAVE' }))]);
    const ids = outcomes.map((outcome) => (outcome.status === 'signed_in' ? outcome.account.id : outcome.status));
    expect(new Set(ids).size).toBe(1);
    expect(outcomes.map((outcome) => outcome.status === 'signed_in' && outcome.created).sort()).toEqual([false, true]);
    expect(await accounts.list()).toHaveLength(1);
  });

  it('two claims of one provisioned account at once link it once, and both sign in to it', async () => {
    const { accounts } = await openStore();
    await seed(accounts, [provisionedCarol]);
    const service = new AccountService(accounts, new RecordingRevoker(), createMemoryLogger(), now);
    const outcomes = await Promise.all([service.signInWithWeCom(signIn({ userid: 'carol' })), service.signInWithWeCom(signIn({ userid: 'carol' }))]);
    expect(outcomes.map((outcome) => summary(outcome, new Set(['prov'])))).toEqual([
      { status: 'signed_in', account: 'prov', created: false, linkedBy: 'provisioned' },
      { status: 'signed_in', account: 'prov', created: false, linkedBy: 'provisioned' },
    ]);
    expect(await storeState(accounts, new Set(['prov']))).toEqual(afterClaim);
  });

  it('when another sign-in links the member between our match and our link, we sign in to that account', async () => {
    const { accounts } = await openStore();
    await seed(accounts, [
      { id: 'matched', profile: { username: 'dave' } },
      { id: 'winner', profile: { username: 'd.li' } },
    ]);
    // The real store, except that another replica's link of the same member lands just before ours.
    const racing: AccountStore = Object.assign(Object.create(accounts) as AccountStore, {
      linkIdentity: async (...args: Parameters<AccountStore['linkIdentity']>) => {
        await accounts.linkIdentity('winner', { ...args[1], connection: 'elsewhere' });
        return accounts.linkIdentity(...args);
      },
    });
    const service = new AccountService(racing, new RecordingRevoker(), createMemoryLogger(), now);
    const outcome = await service.signInWithWeCom(signIn({ userid: 'dave' }, match('username')));
    expect(summary(outcome, new Set(['matched', 'winner']))).toEqual({ status: 'signed_in', account: 'winner', created: false });
    expect(await storeState(accounts, new Set(['matched', 'winner']))).toEqual(['matched', 'winner=wwcorp/dave']);
  });

  it('when the account that won the link is disabled, the sign-in is refused', async () => {
    const { accounts } = await openStore();
    await seed(accounts, [provisionedCarol, { id: 'winner', profile: { username: 'c.wang' }, disabled: true }]);
    const racing: AccountStore = Object.assign(Object.create(accounts) as AccountStore, {
      linkIdentity: async (...args: Parameters<AccountStore['linkIdentity']>) => {
        await accounts.linkIdentity('winner', args[1]);
        return accounts.linkIdentity(...args);
      },
    });
    const service = new AccountService(racing, new RecordingRevoker(), createMemoryLogger(), now);
    const outcome = await service.signInWithWeCom(signIn({ userid: 'carol' }));
    expect(outcome).toEqual({ status: 'refused', reason: 'account_disabled', accountId: 'winner' });
    expect(await storeState(accounts, new Set(['prov', 'winner']))).toEqual(['prov', 'winner(disabled)=wwcorp/carol']);
  });
});

describe('AccountService: the bind page and the administrator', () => {
  it('linkByProof links the identity to the proven account, linkedBy bind', async () => {
    const { accounts } = await openStore();
    await seed(accounts, [{ id: 'acct', profile: { username: 'd.li' } }]);
    const service = new AccountService(accounts, new RecordingRevoker(), createMemoryLogger(), now);
    const outcome = await service.linkByProof((await accounts.findById('acct'))!, signIn({ userid: 'dave' }, BIND));
    expect(summary(outcome, new Set(['acct']))).toEqual({ status: 'signed_in', account: 'acct', created: false, linkedBy: 'bind' });
    expect(await storeState(accounts, new Set(['acct']))).toEqual(['acct=wwcorp/dave']);
  });

  it('createForMember on the bind page creates, and a second one returns the same account', async () => {
    const { accounts } = await openStore();
    const service = new AccountService(accounts, new RecordingRevoker(), createMemoryLogger(), now);
    const first = await service.createForMember(signIn({ userid: 'dave' }, BIND));
    const second = await service.createForMember(signIn({ userid: 'dave' }, BIND));
    expect(first).toMatchObject({ status: 'signed_in', created: true });
    expect(second).toMatchObject({ status: 'signed_in', created: false });
    expect(first.status === 'signed_in' && second.status === 'signed_in' && first.account.id === second.account.id).toBe(true);
    expect(await accounts.list()).toHaveLength(1);
  });

  it('disabling ends the account access through the revoker; enabling does not; both persist', async () => {
    const { accounts } = await openStore();
    await seed(accounts, [{ id: 'alice', linked: ['alice'] }]);
    const revoker = new RecordingRevoker();
    const service = new AccountService(accounts, revoker, createMemoryLogger(), now);

    expect(await service.setDisabled('alice', true)).toMatchObject({ account: { id: 'alice', disabled: true }, revoked: 3, notified: 1 });
    expect(revoker.ended).toEqual(['alice']);
    expect(await service.signInWithWeCom(signIn({ userid: 'alice' }))).toMatchObject({ status: 'refused', reason: 'account_disabled' });

    expect(await service.setDisabled('alice', false)).toMatchObject({ account: { disabled: false }, revoked: 0, notified: 0 });
    expect(revoker.ended).toEqual(['alice']);
    expect(await service.signInWithWeCom(signIn({ userid: 'alice' }))).toMatchObject({ status: 'signed_in' });

    expect(await service.setDisabled('nobody', true)).toEqual({ account: undefined, revoked: 0, notified: 0 });
    expect(revoker.ended).toEqual(['alice']);
  });
});

describe('the id of an account provisioned for a create_user event', () => {
  const event = { corpId: 'wwcorp', userid: 'XinRen', createTime: 1_764_633_600 };
  it('is the same for every delivery of one event, and looks like any other account id', () => {
    const id = provisionedAccountId('app-secret', event);
    expect(provisionedAccountId('app-secret', { ...event, userid: 'xinren' })).toBe(id);
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
  it('differs for another member, another event time, another corp, and without the secret', () => {
    const id = provisionedAccountId('app-secret', event);
    const others = [
      provisionedAccountId('app-secret', { ...event, userid: 'xinren2' }),
      provisionedAccountId('app-secret', { ...event, createTime: event.createTime + 1 }),
      provisionedAccountId('app-secret', { ...event, corpId: 'wwother' }),
      provisionedAccountId('another-secret', event),
    ];
    expect(new Set([id, ...others]).size).toBe(5);
  });
});
