/**
 * Settings that are valid but probably not what a production operator meant: logged at start as
 * warnings, never refused (a lab may really want them).
 */
import type { Config } from './schema.js';

/** localhost, 127.x.x.x or [::1]: a URL only this machine can reach. */
export function isLoopbackUrl(url: string): boolean {
  const { hostname } = new URL(url);
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
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
