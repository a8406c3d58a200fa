/**
 * The address a rate limit counts against. Without `trustProxy` it is the socket's peer. With it,
 * it is the last X-Forwarded-For entry: the one our own proxy appended (earlier entries are
 * whatever the client chose to send). IPv6 clients are counted per /64, the block one subscriber
 * usually holds, so rotating addresses inside it buys nothing.
 */
import { isIPv6 } from 'node:net';
import type { IncomingMessage } from 'node:http';

export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  let ip = req.socket.remoteAddress ?? 'unknown';
  if (trustProxy) {
    const header = req.headers['x-forwarded-for'];
    const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
    const last = forwarded.at(-1);
    if (last) ip = last;
  }
  if (ip.startsWith('::ffff:') && ip.includes('.')) return ip.slice('::ffff:'.length);
  return isIPv6(ip) ? ipv6Prefix64(ip) : ip;
}

/** The first four groups of an IPv6 address, `::` expanded. */
function ipv6Prefix64(ip: string): string {
  const [head = '', tail] = ip.split('%', 1)[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
