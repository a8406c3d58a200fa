/**
 * The storage contract: what every driver must do, as one suite that lowdb.test.ts and
 * postgres.test.ts both run. A driver passes when it behaves like the interface in
 * src/model/ports.ts says, including its atomicity promises.
 *
 * `peer` is a second handle on the same store, as another replica would hold: for a shared driver
 * a separate connection pool; for lowdb (one process per file) the same object. Concurrency tests
 * spread their calls over both, so for PostgreSQL they race across two pools, not only within one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AccessTokenCache, type FetchedAccessToken } from '../../src/wecom/api/token-cache.js';
import type { Account, AccountProfile, LoginState, Storage, WeComIdentity } from '../../src/model/index.js';

export interface ContractStorage extends Storage {
  /** Deletes expired records now; returns how many went. */
  prune(): Promise<number>;
}

export interface StorageHarness {
  /** A new, empty store whose clock is `clock.now`. */
  open(): Promise<ContractStorage>;
  /** Another handle on the same store (what a second replica would have). */
  peer(storage: ContractStorage): Promise<ContractStorage>;
}

/** The drivers' clock in these tests: expiry is judged by it, so tests move time instead of sleeping. */
export const clock = {
  ms: 1_700_000_000_000,
  now: () => clock.ms,
};

const CORP = 'wwcorp';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function identity(userid: string, corpId = CORP): WeComIdentity {
  return { corpId, userid: userid.toLowerCase(), connection: 'wecom', linkedAt: 100 };
}

function account(id: string, userid: string | undefined, profile: Partial<AccountProfile> = {}, createdAt = 10): Account {
  return {
    id,
    createdAt,
    updatedAt: createdAt,
    disabled: false,
    profile: { username: userid ?? id, ...profile },
    identities: userid ? [identity(userid)] : [],
  };
}

const ids = (accounts: Account[]) => accounts.map((a) => a.id).sort();

export function storageContract(harness: StorageHarness): void {
  const opened: ContractStorage[] = [];
  let store: ContractStorage;
  let peer: ContractStorage;

  /** A fresh store and a second handle on it. */
  async function fresh() {
    store = await harness.open();
    opened.push(store);
    peer = await harness.peer(store);
    if (peer !== store) opened.push(peer);
    return { store, peer };
  }

  /** Alternates between the two handles, so concurrent calls come from "both replicas". */
  const either = (i: number) => (i % 2 ? peer : store);

  afterEach(async () => {
    clock.ms = 1_700_000_000_000;
    await Promise.all(opened.splice(0).map((storage) => storage.close()));
  });

  describe('oidc-provider models', () => {
    it('upserts, finds, finds by uid and by user code, consumes and destroys', async () => {
      const { store } = await fresh();
      const { models } = store;
      await models.upsert('Session', 's1', { uid: 'u1', accountId: 'a' }, 60);
      await models.upsert('DeviceCode', 'd1', { userCode: 'ABCD' }, 60);
      expect(await models.find('Session', 's1')).toEqual({ uid: 'u1', accountId: 'a' });
      expect(await models.findByUid('Session', 'u1')).toEqual({ uid: 'u1', accountId: 'a' });
      expect(await models.findByUserCode('DeviceCode', 'ABCD')).toEqual({ userCode: 'ABCD' });
      // model names are namespaces: the same id or uid under another model is another record
      expect(await models.find('AccessToken', 's1')).toBeUndefined();
      expect(await models.findByUid('Interaction', 'u1')).toBeUndefined();

      await models.upsert('AuthorizationCode', 'c1', { grantId: 'g' }, 60);
      expect(await models.consume('AuthorizationCode', 'c1')).toBe(true);
      expect((await models.find('AuthorizationCode', 'c1'))?.consumed).toBe(Math.floor(clock.ms / 1000));
      expect(await models.consume('AuthorizationCode', 'c1')).toBe(false);
      expect(await models.consume('AuthorizationCode', 'no-such-code')).toBe(false);

      await models.destroy('Session', 's1');
      expect(await models.find('Session', 's1')).toBeUndefined();
      expect(await models.findByUid('Session', 'u1')).toBeUndefined();
    });

    it('an upsert replaces the payload, its lookups and its lifetime', async () => {
      const { store, peer } = await fresh();
      await store.models.upsert('Session', 's1', { uid: 'u1', accountId: 'a' }, 10);
      await peer.models.upsert('Session', 's1', { uid: 'u2', accountId: 'b' }, 3600);
      expect(await store.models.findByUid('Session', 'u1')).toBeUndefined();
      expect(await store.models.findByUid('Session', 'u2')).toEqual({ uid: 'u2', accountId: 'b' });
      clock.ms += 60_000;
      expect(await store.models.find('Session', 's1')).toEqual({ uid: 'u2', accountId: 'b' });
      // and only the new accountId owns it now
      expect(await store.models.revokeByAccountId('a')).toBe(0);
    });

    it('a record is consumed once, however many replicas consume it at the same moment', async () => {
      const { store } = await fresh();
      await store.models.upsert('AuthorizationCode', 'raced', { grantId: 'g' }, 60);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => either(i).models.consume('AuthorizationCode', 'raced')));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await peer.models.find('AuthorizationCode', 'raced'))?.consumed).toBe(Math.floor(clock.ms / 1000));
    });

    it('keeps a payload exactly as given: nesting, arrays, numbers, unicode', async () => {
      const { store, peer } = await fresh();
      const payload = {
        accountId: 'acct',
        scope: 'openid profile',
        claims: { id_token: { name: { essential: true } } },
        rar: [{ type: 'x', n: 1.5 }, null, 'y'],
        iat: 1_700_000_000,
        name: '张三 🌸',
        'odd key': 'quote \' and " and \\',
      };
      await store.models.upsert('Grant', 'g1', payload, 60);
      expect(await peer.models.find('Grant', 'g1')).toEqual(payload);
    });

    it('revokes every record of a grant in that model, and only those', async () => {
      const { store, peer } = await fresh();
      const { models } = store;
      await models.upsert('RefreshToken', 'r1', { grantId: 'g1' }, 60);
      await models.upsert('RefreshToken', 'r2', { grantId: 'g1' }, 60);
      await models.upsert('RefreshToken', 'r3', { grantId: 'g2' }, 60);
      await models.upsert('AccessToken', 'a1', { grantId: 'g1' }, 60);
      await peer.models.revokeByGrantId('RefreshToken', 'g1');
      expect(await models.find('RefreshToken', 'r1')).toBeUndefined();
      expect(await models.find('RefreshToken', 'r2')).toBeUndefined();
      expect(await models.find('RefreshToken', 'r3')).toBeDefined();
      expect(await models.find('AccessToken', 'a1')).toBeDefined();
    });

    it('revokes every session, grant and token of an account, and counts them', async () => {
      const { store, peer } = await fresh();
      const { models } = store;
      await models.upsert('Session', 's1', { uid: 'u1', accountId: 'alice' }, 60);
      await models.upsert('Grant', 'g1', { accountId: 'alice' }, 60);
      await models.upsert('AccessToken', 'at1', { accountId: 'alice', grantId: 'g1' }, 60);
      await models.upsert('RefreshToken', 'rt1', { accountId: 'alice', grantId: 'g1' }, 60);
      await models.upsert('Session', 's2', { uid: 'u2', accountId: 'bob' }, 60);
      await models.upsert('Client', 'c1', { client_id: 'c1' });
      expect(await peer.models.revokeByAccountId('alice')).toBe(4);
      for (const [model, id] of [
        ['Session', 's1'],
        ['Grant', 'g1'],
        ['AccessToken', 'at1'],
        ['RefreshToken', 'rt1'],
      ] as const) {
        expect(await models.find(model, id), `${model} ${id}`).toBeUndefined();
      }
      expect(await models.findByUid('Session', 'u1')).toBeUndefined();
      expect(await models.find('Session', 's2')).toBeDefined();
      expect(await models.find('Client', 'c1')).toBeDefined();
      expect(await models.revokeByAccountId('alice')).toBe(0);
    });

    it("lists an account's live sessions, and only sessions", async () => {
      const { store, peer } = await fresh();
      const { models } = store;
      await models.upsert('Session', 's1', { uid: 'u1', accountId: 'alice', authorizations: { rp: { sid: 'sid1' } } }, 60);
      await models.upsert('Session', 's2', { uid: 'u2', accountId: 'alice' }, 10);
      await models.upsert('Grant', 'g1', { accountId: 'alice' }, 60);
      await models.upsert('Session', 's3', { uid: 'u3', accountId: 'bob' }, 60);
      clock.ms += 20_000;
      expect(await peer.models.sessionsOfAccount('alice')).toEqual([{ uid: 'u1', accountId: 'alice', authorizations: { rp: { sid: 'sid1' } } }]);
      expect(await peer.models.sessionsOfAccount('nobody')).toEqual([]);
    });

    it('treats a record past its TTL as gone, everywhere, and never revives it', async () => {
      const { store, peer } = await fresh();
      const { models } = store;
      await models.upsert('Session', 's1', { uid: 'u1' }, 10);
      await models.upsert('DeviceCode', 'd1', { userCode: 'WXYZ' }, 10);
      await models.upsert('AuthorizationCode', 'c1', { grantId: 'g' }, 10);
      await models.upsert('Client', 'forever', { client_id: 'forever' });
      clock.ms += 9_000;
      expect(await peer.models.find('Session', 's1')).toBeDefined();
      clock.ms += 1_000;
      expect(await peer.models.find('Session', 's1')).toBeUndefined();
      expect(await peer.models.findByUid('Session', 'u1')).toBeUndefined();
      expect(await peer.models.findByUserCode('DeviceCode', 'WXYZ')).toBeUndefined();
      expect(await models.consume('AuthorizationCode', 'c1')).toBe(false);
      expect(await models.find('AuthorizationCode', 'c1')).toBeUndefined();
      clock.ms += 1_000_000_000;
      expect(await models.find('Client', 'forever')).toEqual({ client_id: 'forever' });
    });
  });

  describe('login states', () => {
    const value: LoginState = { interactionUid: 'i1', connection: 'wecom', method: 'qr', purpose: 'bind_proof' };

    it('a login state can be taken once, from any replica', async () => {
      const { store, peer } = await fresh();
      await store.loginStates.put('s', value, 60);
      expect(await peer.loginStates.take('s')).toEqual(value);
      expect(await store.loginStates.take('s')).toBeUndefined();
      expect(await store.loginStates.take('never-put')).toBeUndefined();
    });

    it('a login state can be peeked at, from any replica, without taking it; not once expired', async () => {
      const { store, peer } = await fresh();
      await store.loginStates.put('peeked', value, 30);
      expect(await peer.loginStates.peek('peeked')).toEqual(value);
      expect(await store.loginStates.peek('never-put')).toBeUndefined();
      expect(await store.loginStates.take('peeked')).toEqual(value);
      expect(await store.loginStates.peek('peeked')).toBeUndefined();
      await store.loginStates.put('expiring', value, 30);
      clock.ms += 30_000;
      expect(await store.loginStates.peek('expiring')).toBeUndefined();
    });

    it("a login state is taken with its owner's check in one step: another attempt's leaves it for its owner", async () => {
      const { store, peer } = await fresh();
      await store.loginStates.put('owned', value, 60);
      expect(await peer.loginStates.take('owned', { interactionUid: 'i2', connection: 'wecom' })).toBeUndefined();
      expect(await store.loginStates.take('owned', { interactionUid: 'i1', connection: 'other' })).toBeUndefined();
      expect(await peer.loginStates.peek('owned')).toEqual(value);
      expect(await peer.loginStates.take('owned', { interactionUid: 'i1', connection: 'wecom' })).toEqual(value);
      expect(await store.loginStates.take('owned', { interactionUid: 'i1', connection: 'wecom' })).toBeUndefined();
    });

    it('twenty concurrent takes of one state: exactly one gets it', async () => {
      await fresh();
      await store.loginStates.put('s', value, 60);
      const taken = await Promise.all(Array.from({ length: 20 }, (_, i) => either(i).loginStates.take('s')));
      expect(taken.filter(Boolean)).toEqual([value]);
    });

    it('a state is spent once, however many replicas spend it at once; then it reads like a put one', async () => {
      await fresh();
      const spent = await Promise.all(Array.from({ length: 20 }, (_, i) => either(i).loginStates.spend('panel', value, 60)));
      expect(spent.filter(Boolean)).toHaveLength(1);
      expect(await peer.loginStates.peek('panel')).toEqual(value);
      expect(await store.loginStates.spend('panel', value, 60)).toBe(false);
      expect(await store.loginStates.take('panel', { interactionUid: 'i2', connection: 'wecom' })).toBeUndefined();
    });

    it('a spent state is remembered until it expires, and may be spent again after that', async () => {
      const { store, peer } = await fresh();
      expect(await store.loginStates.spend('panel', value, 30)).toBe(true);
      clock.ms += 29_000;
      expect(await peer.loginStates.spend('panel', value, 30)).toBe(false);
      clock.ms += 1_000;
      expect(await peer.loginStates.spend('panel', value, 30)).toBe(true);
      expect(await store.loginStates.spend('panel', value, 30)).toBe(false);
    });

    it('an expired state is refused, and gone', async () => {
      const { store } = await fresh();
      await store.loginStates.put('s', value, 30);
      clock.ms += 30_000;
      expect(await store.loginStates.take('s')).toBeUndefined();
      clock.ms -= 20_000;
      expect(await store.loginStates.take('s')).toBeUndefined();
    });
  });

  describe('prune', () => {
    it('deletes expired models and login states and counts them; live ones stay', async () => {
      const { store } = await fresh();
      await store.models.upsert('AccessToken', 'short', { grantId: 'g' }, 10);
      await store.models.upsert('Session', 'long', { uid: 'u' }, 3600);
      await store.models.upsert('Client', 'forever', {});
      await store.loginStates.put('state-short', { interactionUid: 'i', connection: 'c', method: 'qr' }, 10);
      await store.loginStates.put('state-long', { interactionUid: 'i', connection: 'c', method: 'qr' }, 3600);
      clock.ms += 11_000;
      expect(await store.prune()).toBe(2);
      expect(await store.prune()).toBe(0);
      // Back in time: what was pruned is really gone, not merely hidden by its expiry.
      clock.ms -= 11_000;
      expect(await store.models.find('AccessToken', 'short')).toBeUndefined();
      expect(await store.loginStates.take('state-short')).toBeUndefined();
      expect(await store.models.find('Session', 'long')).toBeDefined();
      expect(await store.models.find('Client', 'forever')).toBeDefined();
      expect(await store.loginStates.take('state-long')).toBeDefined();
    });
  });

  describe('accounts and identities', () => {
    it('creates an account with its identity and finds it by id and by (corp, any-case userid)', async () => {
      const { store, peer } = await fresh();
      const created = account('acct-1', 'ZhangSan', { name: '张三', department: [1, 2], groups: ['研发'] });
      expect(await store.accounts.createWithIdentity(created)).toEqual({ account: created, created: true });
      expect(await peer.accounts.findById('acct-1')).toEqual(created);
      expect(await peer.accounts.findByIdentity(CORP, 'ZHANGSAN')).toEqual(created);
      expect(await peer.accounts.findByIdentity('wwother', 'zhangsan')).toBeUndefined();
      expect(await peer.accounts.findById('nobody')).toBeUndefined();
    });

    it('keeps a provisioned account without identities, and the provisioned flag', async () => {
      const { store } = await fresh();
      const provisioned = { ...account('acct-p', undefined, { email: 'p@example.com' }), provisioned: true };
      expect((await store.accounts.createWithIdentity(provisioned)).created).toBe(true);
      expect(await store.accounts.findById('acct-p')).toEqual(provisioned);
    });

    it('an account whose id is taken is not created: ten at once over both replicas, one account, the first kept as it was', async () => {
      await fresh();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          either(i).accounts.createWithIdentity({ ...account('acct-same', undefined, { email: `p${i}@x.cn` }), provisioned: true }),
        ),
      );
      expect(results.filter((result) => result.created)).toHaveLength(1);
      const kept = results.find((result) => result.created)!.account;
      for (const result of results) expect(result.account).toEqual(kept);
      expect(await store.accounts.list()).toEqual([kept]);
      // the others left no match keys behind
      for (let i = 0; i < 10; i += 1) {
        expect(ids(await store.accounts.findByMatchField('email', `p${i}@x.cn`))).toEqual(kept.profile.email === `p${i}@x.cn` ? ['acct-same'] : []);
      }
    });

    it('two concurrent first sign-ins of one member create one account', async () => {
      const { store, peer } = await fresh();
      const [a, b] = await Promise.all([
        store.accounts.createWithIdentity(account('first', 'ZhangSan')),
        peer.accounts.createWithIdentity(account('second', 'zhangsan')),
      ]);
      expect([a.created, b.created].sort()).toEqual([false, true]);
      expect(a.account.id).toBe(b.account.id);
      expect(await store.accounts.list()).toHaveLength(1);
    });

    it('ten concurrent first sign-ins of one member, over both replicas: one account', async () => {
      await fresh();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => either(i).accounts.createWithIdentity(account(`acct-${i}`, 'LiSi', { email: `l${i}@x.cn` }))),
      );
      expect(results.filter((result) => result.created)).toHaveLength(1);
      expect(new Set(results.map((result) => result.account.id)).size).toBe(1);
      const [only] = await store.accounts.list();
      expect(only!.id).toBe(results[0]!.account.id);
      // the losers left nothing behind: not their account, nor their match keys
      expect(ids(await store.accounts.findByMatchField('username', 'lisi'))).toEqual([only!.id]);
      expect(await store.accounts.findByMatchField('email', 'l3@x.cn')).toEqual(only!.profile.email === 'l3@x.cn' ? [only] : []);
    });

    it('updates a profile: new values are found, old ones no longer', async () => {
      const { store, peer } = await fresh();
      await store.accounts.createWithIdentity(account('acct-1', 'zhangsan', { email: 'old@example.com', phoneNumber: '13800000000' }));
      const profile: AccountProfile = { username: 'ZhangSan', email: 'New@Example.com', name: '张三' };
      const updated = await peer.accounts.updateProfile('acct-1', profile, 500);
      expect(updated).toMatchObject({ id: 'acct-1', profile, updatedAt: 500, createdAt: 10 });
      expect(updated!.identities).toEqual([identity('zhangsan')]);
      expect(await store.accounts.findById('acct-1')).toEqual(updated);
      expect(await store.accounts.findByMatchField('email', 'old@example.com')).toEqual([]);
      expect(await store.accounts.findByMatchField('phone_number', '13800000000')).toEqual([]);
      expect(ids(await store.accounts.findByMatchField('email', 'new@example.com'))).toEqual(['acct-1']);
      expect(await store.accounts.updateProfile('nobody', profile, 500)).toBeUndefined();
    });

    it('finds accounts by match field after normalisation, never by name', async () => {
      const { store, peer } = await fresh();
      await store.accounts.createWithIdentity(
        account('a1', 'ZhangSan', { email: ' Zhang@Example.COM ', phoneNumber: '+86 138-0013-8000', name: '同名' }),
      );
      await store.accounts.createWithIdentity(account('a2', undefined, { username: 'wangwu', email: 'zhang@example.com', name: '同名' }));
      await store.accounts.createWithIdentity(account('a3', 'lisi', { phoneNumber: '13900139000' }));
      expect(ids(await peer.accounts.findByMatchField('email', 'ZHANG@example.com'))).toEqual(['a1', 'a2']);
      expect(ids(await peer.accounts.findByMatchField('phone_number', '13800138000'))).toEqual(['a1']);
      expect(ids(await peer.accounts.findByMatchField('phone_number', '+8613800138000'))).toEqual(['a1']);
      expect(ids(await peer.accounts.findByMatchField('username', 'zhangsan'))).toEqual(['a1']);
      expect(ids(await peer.accounts.findByMatchField('username', 'WangWu'))).toEqual(['a2']);
      expect(await peer.accounts.findByMatchField('email', '')).toEqual([]);
      expect(await peer.accounts.findByMatchField('phone_number', 'no digits')).toEqual([]);
      expect(await peer.accounts.findByMatchField('username', '同名')).toEqual([]);
      const [found] = await peer.accounts.findByMatchField('phone_number', '13900139000');
      expect(found).toEqual(await store.accounts.findById('a3'));
    });

    it('links an identity: linked, already linked, taken by another account, no such account', async () => {
      const { store, peer } = await fresh();
      await store.accounts.createWithIdentity(account('a1', 'zhangsan'));
      await store.accounts.createWithIdentity(account('a2', 'lisi'));
      const other = { corpId: 'wwother', userid: 'ZhangSan', connection: 'other-app', linkedAt: 200 };

      const linked = await peer.accounts.linkIdentity('a1', other);
      expect(linked.status).toBe('linked');
      const expected = [identity('zhangsan'), { ...other, userid: 'zhangsan' }];
      expect(linked.status === 'linked' && linked.account.identities).toEqual(expected);
      expect((await store.accounts.findByIdentity('wwother', 'ZHANGSAN'))?.id).toBe('a1');

      const again = await store.accounts.linkIdentity('a1', { ...other, userid: 'zhangsan' });
      expect(again).toEqual({ status: 'already_linked', account: await store.accounts.findById('a1') });
      expect(await store.accounts.linkIdentity('a2', other)).toEqual({ status: 'conflict', otherAccountId: 'a1' });
      expect(await store.accounts.linkIdentity('nobody', identity('wangwu'))).toEqual({ status: 'no_account' });
      expect((await store.accounts.findById('a1'))!.identities).toEqual(expected);
    });

    it('two accounts linking one identity at once: one wins, the other is told it conflicts', async () => {
      const { store, peer } = await fresh();
      await store.accounts.createWithIdentity(account('a1', undefined));
      await store.accounts.createWithIdentity(account('a2', undefined));
      const results = await Promise.all([
        store.accounts.linkIdentity('a1', identity('wangwu')),
        peer.accounts.linkIdentity('a2', identity('WangWu')),
      ]);
      expect(results.map((result) => result.status).sort()).toEqual(['conflict', 'linked']);
      const winner = results.find((result) => result.status === 'linked');
      const loser = results.find((result) => result.status === 'conflict');
      expect(winner?.status === 'linked' && loser?.status === 'conflict' && loser.otherAccountId).toBe(
        winner?.status === 'linked' && winner.account.id,
      );
    });

    it('unlinks an identity only from its own account; then it is free to link elsewhere', async () => {
      const { store, peer } = await fresh();
      await store.accounts.createWithIdentity(account('a1', 'zhangsan'));
      await store.accounts.createWithIdentity(account('a2', undefined));
      expect(await peer.accounts.unlinkIdentity('a2', CORP, 'zhangsan')).toBe(false);
      expect(await peer.accounts.unlinkIdentity('a1', CORP, 'ZhangSan')).toBe(true);
      expect(await peer.accounts.unlinkIdentity('a1', CORP, 'zhangsan')).toBe(false);
      expect(await store.accounts.findByIdentity(CORP, 'zhangsan')).toBeUndefined();
      expect((await store.accounts.findById('a1'))!.identities).toEqual([]);
      expect((await store.accounts.linkIdentity('a2', identity('zhangsan'))).status).toBe('linked');
      // and a new sign-in of that member now finds a2, not a new account
      expect((await store.accounts.createWithIdentity(account('a3', 'zhangsan'))).account.id).toBe('a2');
    });

    it('disables and enables an account', async () => {
      const { store, peer } = await fresh();
      await store.accounts.createWithIdentity(account('a1', 'zhangsan'));
      expect((await peer.accounts.setDisabled('a1', true))?.disabled).toBe(true);
      expect((await store.accounts.findByIdentity(CORP, 'zhangsan'))?.disabled).toBe(true);
      expect((await peer.accounts.setDisabled('a1', false))?.disabled).toBe(false);
      expect(await peer.accounts.setDisabled('nobody', true)).toBeUndefined();
    });

    it('retires an identity: the account keeps its other one; losing the last disables and retires it', async () => {
      const { store, peer } = await fresh();
      await store.accounts.createWithIdentity(account('a1', 'zhangsan', { email: 'zs@example.com' }));
      expect((await store.accounts.linkIdentity('a1', identity('zhangsan', 'wwother'))).status).toBe('linked');
      const first = await peer.accounts.retireIdentity('a1', 'wwother', 'ZhangSan', 500);
      expect(first).toMatchObject({ status: 'retired', remaining: 1, account: { disabled: false } });
      expect(first.status === 'retired' && first.account.retiredAt).toBeUndefined();
      const last = await peer.accounts.retireIdentity('a1', CORP, 'zhangsan', 600);
      expect(last).toMatchObject({ status: 'retired', remaining: 0, account: { disabled: true, retiredAt: 600, identities: [] } });
      // A second delivery of the same event changes nothing.
      expect(await store.accounts.retireIdentity('a1', CORP, 'zhangsan', 700)).toEqual({ status: 'not_linked' });
      expect((await store.accounts.findById('a1'))!.retiredAt).toBe(600);
      // A retired account matches nothing: the next member with that userid or e-mail is someone else.
      expect(await store.accounts.findByIdentity(CORP, 'zhangsan')).toBeUndefined();
      expect(await peer.accounts.findByMatchField('username', 'zhangsan')).toEqual([]);
      expect(await peer.accounts.findByMatchField('email', 'zs@example.com')).toEqual([]);
      await store.accounts.updateProfile('a1', { username: 'zhangsan', email: 'zs@example.com' }, 800);
      expect(await peer.accounts.findByMatchField('username', 'zhangsan')).toEqual([]);
      expect((await store.accounts.createWithIdentity(account('a2', 'zhangsan'))).created).toBe(true);
      expect(await peer.accounts.retireIdentity('a2', CORP, 'lisi', 900)).toEqual({ status: 'not_linked' });
    });

    it('renames an identity in place: same account, found by the new userid only; refuses a taken userid', async () => {
      const { store, peer } = await fresh();
      await store.accounts.createWithIdentity(account('a1', 'zhangsan'));
      await store.accounts.createWithIdentity(account('a2', 'wangwu'));
      const renamed = await peer.accounts.renameIdentity(CORP, 'ZhangSan', 'ZS-2026');
      expect(renamed).toMatchObject({ status: 'renamed', account: { id: 'a1' } });
      expect(renamed.status === 'renamed' && renamed.account.identities.map((i) => i.userid)).toEqual(['zs-2026']);
      expect((await store.accounts.findByIdentity(CORP, 'zs-2026'))?.id).toBe('a1');
      expect(await store.accounts.findByIdentity(CORP, 'zhangsan')).toBeUndefined();
      expect(await peer.accounts.renameIdentity(CORP, 'zhangsan', 'zs-2026')).toEqual({ status: 'not_linked' });
      expect(await peer.accounts.renameIdentity(CORP, 'zs-2026', 'wangwu')).toEqual({ status: 'conflict', otherAccountId: 'a2' });
      expect((await store.accounts.findByIdentity(CORP, 'zs-2026'))?.id).toBe('a1');
    });

    it('records the last good look at a member, and how it was taken', async () => {
      const { store, peer } = await fresh();
      await store.accounts.createWithIdentity(account('a1', 'zhangsan'));
      await peer.accounts.markChecked(CORP, 'ZhangSan', 1234, 'refresh');
      expect((await store.accounts.findById('a1'))!.identities[0]).toMatchObject({ userid: 'zhangsan', checkedAt: 1234, checkedVia: 'refresh' });
      await peer.accounts.markChecked(CORP, 'nobody', 1234, 'refresh');
    });

    it('lists every account oldest first (ties by id), with identities', async () => {
      const { store, peer } = await fresh();
      await store.accounts.createWithIdentity(account('b', 'u2', {}, 20));
      await store.accounts.createWithIdentity(account('c', 'u3', {}, 5));
      await store.accounts.createWithIdentity(account('a', 'u1', {}, 20));
      const listed = await peer.accounts.list();
      expect(listed.map((a) => a.id)).toEqual(['c', 'a', 'b']);
      expect(listed[1]!.identities).toEqual([identity('u1')]);
    });
  });

  describe('keys', () => {
    it('creates a key once and returns it afterwards, from either replica', async () => {
      const { store, peer } = await fresh();
      let made = 0;
      const create = () => ['cookie-key', ++made];
      const first = await store.keys.getOrCreate('cookies', create);
      expect(first).toEqual(['cookie-key', 1]);
      expect(await peer.keys.getOrCreate('cookies', create)).toEqual(first);
      expect(made).toBe(1);
    });

    it('concurrent first getOrCreate: everyone gets the same value', async () => {
      await fresh();
      let made = 0;
      const create = async () => {
        const mine = ++made;
        await sleep(5);
        return { keys: [{ kid: `k${mine}` }] };
      };
      const values = await Promise.all(Array.from({ length: 6 }, (_, i) => either(i).keys.getOrCreate('ring', create)));
      expect(new Set(values.map((value) => JSON.stringify(value))).size).toBe(1);
      expect(await store.keys.getOrCreate('ring', create)).toEqual(values[0]);
    });

    it('updates atomically: twenty concurrent increments over both replicas each see the previous one', async () => {
      await fresh();
      const seen: (number | undefined)[] = [];
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          either(i).keys.update<{ n: number }>('counter', async (current) => {
            seen.push(current?.n);
            await sleep(1);
            return { n: (current?.n ?? 0) + 1 };
          }),
        ),
      );
      expect(results.map((result) => result.n).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(seen.filter((n) => n === undefined)).toHaveLength(1);
      expect(await store.keys.getOrCreate('counter', () => ({ n: -1 }))).toEqual({ n: 20 });
    });

    it('a failed update changes nothing', async () => {
      const { store } = await fresh();
      await store.keys.update('k', () => ({ v: 1 }));
      await expect(store.keys.update('k', () => Promise.reject(new Error('no')))).rejects.toThrow('no');
      expect(await store.keys.update<{ v: number }>('k', (current) => ({ v: current!.v + 1 }))).toEqual({ v: 2 });
    });
  });

  describe('WeCom access tokens', () => {
    const token = (value: string) => ({ value, expiresAt: clock.ms + 7_200_000, refreshAt: clock.ms + 6_900_000 });

    it('reads and writes a token per key; remove deletes only the value it names', async () => {
      const { store, peer } = await fresh();
      expect(await store.accessTokens.read('wwcorp/1')).toBeUndefined();
      await store.accessTokens.write('wwcorp/1', token('t1'));
      await store.accessTokens.write('wwcorp/2', token('other'));
      expect(await peer.accessTokens.read('wwcorp/1')).toEqual(token('t1'));
      await peer.accessTokens.write('wwcorp/1', token('t2'));
      await store.accessTokens.remove('wwcorp/1', 't1'); // a late 42001 for the old token
      expect(await store.accessTokens.read('wwcorp/1')).toEqual(token('t2'));
      await store.accessTokens.remove('wwcorp/1', 't2');
      expect(await peer.accessTokens.read('wwcorp/1')).toBeUndefined();
      expect(await peer.accessTokens.read('wwcorp/2')).toEqual(token('other'));
    });

    it('the refresh lock lets one holder of a key run at a time, across replicas', async () => {
      await fresh();
      let inside = 0;
      let most = 0;
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          either(i).accessTokens.withRefreshLock('wwcorp/1', async () => {
            most = Math.max(most, ++inside);
            await sleep(10);
            inside -= 1;
            return i;
          }),
        ),
      );
      expect(most).toBe(1);
      expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    });

    it('the refresh lock blocks the same key only, and is released after a failure', async () => {
      const { store, peer } = await fresh();
      let release!: () => void;
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const holding = store.accessTokens.withRefreshLock('wwcorp/1', () => {
        entered();
        return new Promise<void>((resolve) => (release = resolve));
      });
      await inside;
      // Long enough for a lock on another key to be taken on a busy machine (on PostgreSQL it opens a
      // connection of its own): at 300 ms it once read 'waiting' at load 11.
      const outcome = (work: Promise<unknown>) => Promise.race([work.then(() => 'ran'), sleep(1_500).then(() => 'waiting')]);
      const otherKey = await outcome(peer.accessTokens.withRefreshLock('wwcorp/2', async () => undefined));
      const sameKey = peer.accessTokens.withRefreshLock('wwcorp/1', async () => 'second');
      const sameKeyWhileHeld = await outcome(sameKey);
      release();
      await holding;
      expect({ otherKey, sameKeyWhileHeld }).toEqual({ otherKey: 'ran', sameKeyWhileHeld: 'waiting' });
      expect(await sameKey).toBe('second');

      await expect(store.accessTokens.withRefreshLock('wwcorp/1', () => Promise.reject(new Error('gettoken failed')))).rejects.toThrow(
        'gettoken failed',
      );
      expect(await outcome(peer.accessTokens.withRefreshLock('wwcorp/1', async () => undefined))).toBe('ran');
    });

    it('two token caches (two replicas) on a cold store fetch once; after an invalidation, once more', async () => {
      const { store, peer } = await fresh();
      const caches = [
        new AccessTokenCache({ store: store.accessTokens, now: clock.now }),
        new AccessTokenCache({ store: peer.accessTokens, now: clock.now }),
      ];
      let fetches = 0;
      const fetchToken = async (): Promise<FetchedAccessToken> => {
        const mine = ++fetches;
        await sleep(20);
        return { accessToken: `token-${mine}`, expiresInSeconds: 7200 };
      };
      const app = { corpId: CORP, agentId: '1000002' };
      const first = await Promise.all(Array.from({ length: 20 }, (_, i) => caches[i % 2]!.get(app, fetchToken)));
      expect(new Set(first)).toEqual(new Set(['token-1']));
      expect(fetches).toBe(1);

      // WeCom answered 42001 for token-1 on both replicas
      await Promise.all(caches.map((cache) => cache.invalidate(app, 'token-1')));
      const second = await Promise.all(Array.from({ length: 20 }, (_, i) => caches[i % 2]!.get(app, fetchToken)));
      expect(new Set(second)).toEqual(new Set(['token-2']));
      expect(fetches).toBe(2);
    });
  });
}
