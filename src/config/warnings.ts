/**
 * Settings that are valid but probably not what a production operator meant: logged at start as
 * warnings, never refused (a lab may really want them).
 */
import { BlockList, isIP } from 'node:net';
import type { Config } from './schema.js';

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/**
 * localhost, 127.0.0.0/8 or ::1 (in any of its spellings, IPv4-mapped too): a host name or address
 * only this machine can reach. Anything else, the wildcards 0.0.0.0, :: and "" included, is not.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (bare.toLowerCase() === 'localhost') return true;
  const family = isIP(bare);
  return family !== 0 && loopback.check(bare, family === 6 ? 'ipv6' : 'ipv4');
}

/** A URL only this machine can reach (see isLoopbackHost). */
export function isLoopbackUrl(url: string): boolean {
  return isLoopbackHost(new URL(url).hostname);
}

export function configWarnings(config: Pick<Config, 'issuer'>): string[] {
  const warnings: string[] = [];
  if (new URL(config.issuer).protocol === 'http:' && !isLoopbackUrl(config.issuer)) {
    warnings.push(
      `the issuer ${config.issuer} is plain http:// on a host other machines reach: tokens, codes and session ` +
        'cookies would cross the network unencrypted, and browsers drop the secure cookies sign-in needs; ' +
        'serve it over TLS (e.g. behind a reverse proxy with "trustProxy": true) and use an https:// issuer',
    );
  }
  return warnings;
}
