/**
 * Signing keys and cookie keys: generated on first start, persisted in storage, reused on every
 * later start, so a restart never invalidates issued tokens or signed cookies.
 *
 * Signing keys form a ring that rotates safely (`npm run admin -- keys rotate`):
 * 1. publish: a `next` pair is added to the JWKS but not used, so RPs that refresh their JWKS cache
 *    learn it before any token is signed with it;
 * 2. promote (the next rotate): `next` becomes `current` (signing starts with it) and the old
 *    `current` becomes `retiring`: still published, so tokens it signed keep verifying;
 * 3. retire: a `retiring` key is dropped once every token it signed has expired.
 * Each pair is RSA (RS256, which every RP supports and OIDC requires, listed first so it is the
 * default) and EC P-256 (ES256). Keys come from node:crypto; nothing here implements cryptography.
 */
import { generateKeyPair, randomBytes, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { KeyStore } from '../model/index.js';

export type SigningJwk = JsonWebKey & { kid: string; alg: string; use: 'sig' };

export interface RingKey {
  jwk: SigningJwk;
  state: 'current' | 'next' | 'retiring';
  /** Seconds since epoch. */
  since: number;
  /** For `retiring` keys: when the last token it signed has expired (seconds since epoch). */
  retireAfter?: number;
}

export interface KeyRing {
  /** Bumped on every change, so servers (every replica) notice and reload. */
  version: number;
  keys: RingKey[];
}

export type RotationStep = 'published' | 'promoted';

const KEY_RING = 'oidc-key-ring';
const COOKIE_KEYS = 'cookie-keys';
const ORDER: RingKey['state'][] = ['current', 'next', 'retiring'];

const generateKeyPairAsync = promisify(generateKeyPair) as (
  type: 'rsa' | 'ec',
  options: { modulusLength: number } | { namedCurve: string },
) => Promise<{ privateKey: KeyObject; publicKey: KeyObject }>;

/**
 * A fresh RSA and EC P-256 pair. Generated off the event loop (libuv's thread pool): an RSA-2048
 * key takes from tens to hundreds of milliseconds of CPU, and on lowdb a rotation runs inside the
 * serving process, where a synchronous generation would stall every request meanwhile.
 */
export async function generateKeyPairJwks(): Promise<SigningJwk[]> {
  const [rsaPair, ecPair] = await Promise.all([
    generateKeyPairAsync('rsa', { modulusLength: 2048 }),
    generateKeyPairAsync('ec', { namedCurve: 'P-256' }),
  ]);
  const rsa = rsaPair.privateKey.export({ format: 'jwk' });
  const ec = ecPair.privateKey.export({ format: 'jwk' });
  return [
    { ...rsa, kid: `rsa-${randomUUID()}`, alg: 'RS256', use: 'sig' },
    { ...ec, kid: `ec-${randomUUID()}`, alg: 'ES256', use: 'sig' },
  ];
}

export async function loadKeyRing(store: KeyStore, nowSeconds: number): Promise<KeyRing> {
  return store.getOrCreate<KeyRing>(KEY_RING, async () => ({
    version: 1,
    keys: (await generateKeyPairJwks()).map((jwk) => ({ jwk, state: 'current', since: nowSeconds })),
  }));
}

/** Whether some retiring key has outlived its tokens and should go. */
export function hasExpiredKeys(ring: KeyRing, nowSeconds: number): boolean {
  return withoutExpired(ring.keys, nowSeconds).length !== ring.keys.length;
}

/** The JWKS oidc-provider gets: current keys first (it signs with the first key of an algorithm). */
export function jwksOf(ring: KeyRing): { keys: SigningJwk[] } {
  return { keys: ORDER.flatMap((state) => ring.keys.filter((key) => key.state === state).map((key) => key.jwk)) };
}

/**
 * One step of the rotation: publish a next pair if there is none, otherwise promote it. Retiring
 * keys whose tokens have all expired are dropped on the way. `tokenLifetime` is the longest
 * lifetime of anything signed (ID tokens), so a retiring key outlives its last token.
 */
export async function rotateKeys(store: KeyStore, nowSeconds: number, tokenLifetime: number): Promise<{ step: RotationStep; ring: KeyRing }> {
  let step: RotationStep = 'published';
  const ring = await store.update<KeyRing>(KEY_RING, async (current) => {
    if (!current) throw new Error('no key ring yet: start the server once before rotating keys');
    const kept = withoutExpired(current.keys, nowSeconds);
    if (!kept.some((key) => key.state === 'next')) {
      step = 'published';
      const next = (await generateKeyPairJwks()).map((jwk): RingKey => ({ jwk, state: 'next', since: nowSeconds }));
      return { version: current.version + 1, keys: [...kept, ...next] };
    }
    step = 'promoted';
    const retireAfter = nowSeconds + tokenLifetime;
    return {
      version: current.version + 1,
      keys: kept.map((key): RingKey => {
        if (key.state === 'current') return { ...key, state: 'retiring', since: nowSeconds, retireAfter };
        if (key.state === 'next') return { ...key, state: 'current', since: nowSeconds };
        return key;
      }),
    };
  });
  return { step, ring };
}

/** Drops retiring keys whose last token has expired; returns the ring unchanged when there are none. */
export async function retireExpiredKeys(store: KeyStore, nowSeconds: number): Promise<KeyRing> {
  return store.update<KeyRing>(KEY_RING, (current) => {
    if (!current) throw new Error('no key ring yet');
    const kept = withoutExpired(current.keys, nowSeconds);
    return kept.length === current.keys.length ? current : { version: current.version + 1, keys: kept };
  });
}

function withoutExpired(keys: RingKey[], nowSeconds: number): RingKey[] {
  return keys.filter((key) => key.state !== 'retiring' || (key.retireAfter ?? 0) > nowSeconds);
}

/** Cookie keys from the configuration win; otherwise one generated 256-bit key is kept in storage. */
export async function loadCookieKeys(store: KeyStore, configured?: string[]): Promise<string[]> {
  if (configured?.length) return configured;
  return store.getOrCreate(COOKIE_KEYS, () => [randomBytes(32).toString('base64url')]);
}
