/**
 * Signing and cookie keys: generated on first start, persisted in storage, and reused on every
 * later start, so a restart never invalidates issued tokens or signed cookies.
 *
 * Two signing keys: RSA (RS256, the algorithm every RP supports and OIDC requires) first, so it is
 * the default for ID tokens, and EC P-256 (ES256) for RPs that register it. Keys come from
 * node:crypto; nothing here implements cryptography.
 */
import { generateKeyPairSync, randomBytes, randomUUID, type JsonWebKey } from 'node:crypto';
import type { KeyStore } from '../storage/types.js';

export interface SigningKeys {
  keys: (JsonWebKey & { kid: string; alg: string; use: 'sig' })[];
}

const SIGNING_KEYS = 'oidc-signing-keys';
const COOKIE_KEYS = 'cookie-keys';

export function generateSigningKeys(): SigningKeys {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return {
    keys: [
      { ...rsa, kid: `rsa-${randomUUID()}`, alg: 'RS256', use: 'sig' },
      { ...ec, kid: `ec-${randomUUID()}`, alg: 'ES256', use: 'sig' },
    ],
  };
}

export function loadSigningKeys(store: KeyStore): Promise<SigningKeys> {
  return store.getOrCreate(SIGNING_KEYS, generateSigningKeys);
}

/** Cookie keys from the configuration win; otherwise one generated 256-bit key is kept in storage. */
export async function loadCookieKeys(store: KeyStore, configured?: string[]): Promise<string[]> {
  if (configured?.length) return configured;
  return store.getOrCreate(COOKIE_KEYS, () => [randomBytes(32).toString('base64url')]);
}
