/**
 * WeCom's message signature (加解密方案, page 90968): sha1 over the token, timestamp, nonce and the
 * encrypted message, sorted in byte order and concatenated, as lower-case hex.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export function messageSignature(token: string, timestamp: string, nonce: string, encrypted: string): string {
  const parts = [token, timestamp, nonce, encrypted].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return createHash('sha1').update(parts.join('')).digest('hex');
}

/** Constant-time comparison: a forged signature learns nothing from how long the check took. */
export function signatureMatches(expected: string, presented: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(presented.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
