/**
 * The signing key ring (keys.ts) on the real key stores, without a server: created once on first
 * use, rotated in two steps (publish, then promote, the old key still verifying its tokens until
 * they have expired), retired after. Runs on lowdb, and on PostgreSQL where one answers (there two
 * pools on one schema race as two replicas would; see test/support/postgres.ts for skipping).
 */
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, importJWK, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openLowdbStorage } from '../storage/lowdb/index.js';
import { openPostgresStorage } from '../storage/postgres/index.js';
import type { Storage } from '../model/index.js';
import { TEST_DATABASE_URL, dropSchemas, postgresSuiteTitle, probePostgres, uniqueSchemaName } from '../../test/support/postgres.js';
import {
  hasExpiredKeys,
  jwksOf,
  loadCookieKeys,
  loadKeyRing,
  retireExpiredKeys,
  rotateKeys,
  type KeyRing,
  type RingKey,
  type SigningJwk,
} from './keys.js';

const T0 = 1_700_000_000;
/** The longest lifetime of anything signed, as rotateKeys is given it. */
const TOKEN_LIFETIME = 3_600;

interface Driver {
  name: string;
  /** A new, empty store. */
  open(): Promise<Storage>;
  /** Another handle on the same store: a second pool for PostgreSQL; lowdb has one per file. */
  peer(storage: Storage): Promise<Storage>;
}

const toClose = new Set<Storage>();
const dirs: string[] = [];
const schemas = new Set<string>();
afterEach(async () => {
  for (const storage of toClose) await storage.close();
  toClose.clear();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
afterAll(() => dropSchemas(schemas), 30_000);

const tracked = (storage: Storage) => (toClose.add(storage), storage);

const lowdb: Driver = {
  name: 'lowdb',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'wecom-oidc-keys-'));
    dirs.push(dir);
    return tracked(await openLowdbStorage({ path: join(dir, 'db.json') }));
  },
  peer: async (storage) => storage,
};

const schemaOf = new WeakMap<Storage, string>();
const postgres: Driver = {
  name: 'PostgreSQL',
  async open() {
    const schema = uniqueSchemaName('keys');
    schemas.add(schema);
    const storage = tracked(await openPostgresStorage({ url: TEST_DATABASE_URL, schema, poolSize: 4 }));
    schemaOf.set(storage, schema);
    return storage;
  },
  async peer(storage) {
    return tracked(await openPostgresStorage({ url: TEST_DATABASE_URL, schema: schemaOf.get(storage)!, poolSize: 4 }));
  },
};

const kids = (keys: RingKey[]) => keys.map((key) => key.jwk.kid);
/** The kids in the order the JWKS lists them. */
const jwksKids = (ring: KeyRing) => jwksOf(ring).keys.map((key: SigningJwk) => key.kid);
const inState = (ring: KeyRing, state: RingKey['state']) => ring.keys.filter((key) => key.state === state);

/** What the JWKS endpoint publishes: the public half of each key (node:crypto derives it). */
function publicJwks(ring: KeyRing): JSONWebKeySet {
  return {
    keys: jwksOf(ring).keys.map(({ kid, alg, use, ...jwk }) => ({
      ...createPublicKey({ key: jwk, format: 'jwk' }).export({ format: 'jwk' }),
      kid,
      alg,
      use,
    })),
  };
}

/** An ID-token-like JWT signed with `key`, as oidc-provider would sign with it. */
async function signWith(key: RingKey): Promise<string> {
  return new SignJWT({ sub: 'someone' })
    .setProtectedHeader({ alg: key.jwk.alg, kid: key.jwk.kid })
    .setIssuer('https://id.example')
    .sign(await importJWK(key.jwk, key.jwk.alg));
}

async function verifies(token: string, ring: KeyRing): Promise<boolean> {
  return jwtVerify(token, createLocalJWKSet(publicJwks(ring)), { issuer: 'https://id.example' }).then(
    () => true,
    () => false,
  );
}

function keyRingSuite(driver: Driver): void {
  it('creates one RSA and one EC P-256 signing pair on first use, and reuses them after', async () => {
    const storage = await driver.open();
    const ring = await loadKeyRing(storage.keys, T0);
    expect(ring.version).toBe(1);
    expect(ring.keys.map((key) => [key.state, key.since, key.jwk.kty, key.jwk.alg, key.jwk.use])).toEqual([
      ['current', T0, 'RSA', 'RS256', 'sig'],
      ['current', T0, 'EC', 'ES256', 'sig'],
    ]);
    expect(ring.keys[1]!.jwk.crv).toBe('P-256');
    expect(ring.keys.every((key) => typeof key.jwk.d === 'string')).toBe(true);
    expect(new Set(kids(ring.keys)).size).toBe(2);

    // Later starts, on this handle or another replica's, get the same keys.
    expect(await loadKeyRing(storage.keys, T0 + 1_000)).toEqual(ring);
    expect(await loadKeyRing((await driver.peer(storage)).keys, T0 + 2_000)).toEqual(ring);
    // and what it signs verifies against what it publishes
    expect(await verifies(await signWith(ring.keys[0]!), ring)).toBe(true);
    expect(await verifies(await signWith(ring.keys[1]!), ring)).toBe(true);
  });

  it('creates one key ring when several callers ask for it at once', async () => {
    const storage = await driver.open();
    const peer = await driver.peer(storage);
    const rings = await Promise.all([
      loadKeyRing(storage.keys, T0),
      loadKeyRing(peer.keys, T0),
      loadKeyRing(storage.keys, T0),
      loadKeyRing(peer.keys, T0),
    ]);
    const first = kids(rings[0].keys);
    expect(first).toHaveLength(2);
    for (const ring of rings) expect(kids(ring.keys)).toEqual(first);
    expect(kids((await loadKeyRing(storage.keys, T0 + 1)).keys)).toEqual(first);
  });

  it('refuses to rotate before there is a key ring, and writes none', async () => {
    const storage = await driver.open();
    await expect(rotateKeys(storage.keys, T0, TOKEN_LIFETIME)).rejects.toThrow(/no key ring yet/);
    await expect(retireExpiredKeys(storage.keys, T0)).rejects.toThrow(/no key ring yet/);
    expect((await loadKeyRing(storage.keys, T0)).version).toBe(1);
  });

  it('rotates in two steps: the new pair is published unused, then signs, while the old one verifies until its tokens expire', async () => {
    const storage = await driver.open();
    const original = await loadKeyRing(storage.keys, T0);
    const oldToken = await signWith(original.keys[0]!);

    // 1. publish: the next pair is in the JWKS, after the keys that still sign
    const published = await rotateKeys(storage.keys, T0 + 100, TOKEN_LIFETIME);
    expect(published.step).toBe('published');
    expect(published.ring.version).toBe(2);
    expect(inState(published.ring, 'current')).toEqual(original.keys);
    const next = inState(published.ring, 'next');
    expect(next.map((key) => [key.jwk.alg, key.since])).toEqual([
      ['RS256', T0 + 100],
      ['ES256', T0 + 100],
    ]);
    expect(kids(next)).not.toContain(original.keys[0]!.jwk.kid);
    expect(jwksKids(published.ring)).toEqual([...kids(original.keys), ...kids(next)]);
    expect(await loadKeyRing(storage.keys, T0 + 100)).toEqual(published.ring);

    // 2. promote: the new pair comes first (oidc-provider signs with the first key of an algorithm),
    //    the old one is kept, retiring once every token it signed has expired
    const promoted = await rotateKeys(storage.keys, T0 + 200, TOKEN_LIFETIME);
    expect(promoted.step).toBe('promoted');
    expect(promoted.ring.version).toBe(3);
    expect(kids(inState(promoted.ring, 'current'))).toEqual(kids(next));
    expect(inState(promoted.ring, 'current').every((key) => key.since === T0 + 200)).toBe(true);
    const retiring = inState(promoted.ring, 'retiring');
    expect(kids(retiring)).toEqual(kids(original.keys));
    expect(retiring.every((key) => key.since === T0 + 200 && key.retireAfter === T0 + 200 + TOKEN_LIFETIME)).toBe(true);
    expect(jwksKids(promoted.ring)).toEqual([...kids(next), ...kids(original.keys)]);
    expect(await loadKeyRing((await driver.peer(storage)).keys, T0 + 200)).toEqual(promoted.ring);
    expect(await verifies(oldToken, promoted.ring)).toBe(true);
    expect(await verifies(await signWith(inState(promoted.ring, 'current')[0]!), promoted.ring)).toBe(true);

    // 3. retire: not a second early, then gone (and the old key's tokens with it)
    const retireAt = T0 + 200 + TOKEN_LIFETIME;
    expect(hasExpiredKeys(promoted.ring, retireAt - 1)).toBe(false);
    expect(await retireExpiredKeys(storage.keys, retireAt - 1)).toEqual(promoted.ring);
    expect(hasExpiredKeys(promoted.ring, retireAt)).toBe(true);
    const retired = await retireExpiredKeys(storage.keys, retireAt);
    expect(retired.version).toBe(4);
    expect(retired.keys).toEqual(inState(promoted.ring, 'current'));
    expect(hasExpiredKeys(retired, retireAt + 10 * TOKEN_LIFETIME)).toBe(false);
    expect(await verifies(oldToken, retired)).toBe(false);
    expect(await loadKeyRing(storage.keys, retireAt)).toEqual(retired);
  });

  it('a rotation drops retiring keys that have expired on the way, and keeps those that have not', async () => {
    const storage = await driver.open();
    const original = await loadKeyRing(storage.keys, T0);
    await rotateKeys(storage.keys, T0, TOKEN_LIFETIME);
    const firstPromotion = await rotateKeys(storage.keys, T0 + 10, TOKEN_LIFETIME);
    const second = inState(firstPromotion.ring, 'current');

    // still within the old key's lifetime: publishing keeps it
    const publishedAgain = await rotateKeys(storage.keys, T0 + 20, TOKEN_LIFETIME);
    expect(publishedAgain.step).toBe('published');
    expect(kids(inState(publishedAgain.ring, 'retiring'))).toEqual(kids(original.keys));
    expect(publishedAgain.ring.keys).toHaveLength(6);

    // past it: promoting drops the original keys; the second pair retires in their place
    const promotedAgain = await rotateKeys(storage.keys, T0 + 10 + TOKEN_LIFETIME, TOKEN_LIFETIME);
    expect(promotedAgain.step).toBe('promoted');
    expect(promotedAgain.ring.version).toBe(5);
    expect(kids(inState(promotedAgain.ring, 'current'))).toEqual(kids(inState(publishedAgain.ring, 'next')));
    expect(kids(inState(promotedAgain.ring, 'retiring'))).toEqual(kids(second));
    expect(promotedAgain.ring.keys).toHaveLength(4);
  });

  it('publishing a next pair also drops retiring keys that have expired', async () => {
    const storage = await driver.open();
    await loadKeyRing(storage.keys, T0);
    await rotateKeys(storage.keys, T0, TOKEN_LIFETIME);
    const promoted = await rotateKeys(storage.keys, T0 + 10, TOKEN_LIFETIME);
    const published = await rotateKeys(storage.keys, T0 + 10 + TOKEN_LIFETIME, TOKEN_LIFETIME);
    expect(published.step).toBe('published');
    expect(inState(published.ring, 'retiring')).toEqual([]);
    expect(inState(published.ring, 'current')).toEqual(inState(promoted.ring, 'current'));
    expect(published.ring.keys).toHaveLength(4);
  });

  it('two rotations at once both happen, one after the other: one publishes, the other promotes', async () => {
    const storage = await driver.open();
    const peer = await driver.peer(storage);
    const original = await loadKeyRing(storage.keys, T0);
    const results = await Promise.all([rotateKeys(storage.keys, T0 + 1, TOKEN_LIFETIME), rotateKeys(peer.keys, T0 + 1, TOKEN_LIFETIME)]);
    expect(results.map((result) => result.step).sort()).toEqual(['promoted', 'published']);
    const last = results.find((result) => result.step === 'promoted')!.ring;
    const publishedNext = inState(results.find((result) => result.step === 'published')!.ring, 'next');
    expect(last.version).toBe(3);
    expect(kids(inState(last, 'current'))).toEqual(kids(publishedNext));
    expect(kids(inState(last, 'retiring'))).toEqual(kids(original.keys));
    expect(last.keys).toHaveLength(4);
    expect(await loadKeyRing(storage.keys, T0 + 2)).toEqual(last);
  });

  it('cookie keys: configured ones win; otherwise one 256-bit key is generated once and kept', async () => {
    const storage = await driver.open();
    const peer = await driver.peer(storage);
    expect(await loadCookieKeys(storage.keys, ['configured-key'])).toEqual(['configured-key']);
    const generated = await Promise.all([loadCookieKeys(storage.keys), loadCookieKeys(peer.keys), loadCookieKeys(storage.keys, [])]);
    expect(generated[0]).toHaveLength(1);
    expect(Buffer.from(generated[0][0]!, 'base64url')).toHaveLength(32);
    expect(generated[1]).toEqual(generated[0]);
    expect(generated[2]).toEqual(generated[0]);
    expect(await loadCookieKeys(peer.keys, ['configured-key'])).toEqual(['configured-key']);
  });
}

describe('signing keys on lowdb', () => {
  keyRingSuite(lowdb);

  it('survive a restart: the file holds the ring', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wecom-oidc-keys-'));
    dirs.push(dir);
    const path = join(dir, 'db.json');
    const first = await openLowdbStorage({ path });
    await loadKeyRing(first.keys, T0);
    const { ring } = await rotateKeys(first.keys, T0 + 1, TOKEN_LIFETIME);
    await first.close();
    const second = tracked(await openLowdbStorage({ path }));
    expect(await loadKeyRing(second.keys, T0 + 2)).toEqual(ring);
  });
});

const availability = await probePostgres();
describe.skipIf(!availability.available)(postgresSuiteTitle('signing keys on PostgreSQL', availability), () => {
  keyRingSuite(postgres);
});
