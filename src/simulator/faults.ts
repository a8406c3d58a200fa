/**
 * Call counters and fault injection for the simulated APIs. Counters include failed calls: they exist
 * to prove caching ("20 logins cost exactly 1 gettoken"), and a failed call costs WeCom quota too.
 */
import { SIMULATED_APIS, type SimulatedApi } from './constants.js';

/**
 * Failures below WeCom's JSON, as a proxy, a network or an overloaded WeCom produce them. None of
 * them runs the API's handler (a login code stays unused), but the caller cannot know that.
 */
export const TRANSPORT_FAULTS = ['http_502', 'reset', 'malformed', 'hang'] as const;
export type TransportFault = (typeof TRANSPORT_FAULTS)[number];
/** An errcode WeCom answers with, or a transport fault. */
export type Fault = number | TransportFault;

export interface Faults {
  readonly calls: Readonly<Record<SimulatedApi, number>>;
  count(api: SimulatedApi): void;
  inject(api: SimulatedApi, fault: Fault, times: number): void;
  /** The injected fault for this call, if one is pending; consumes one injection. */
  take(api: SimulatedApi): Fault | undefined;
}

export function createFaults(): Faults {
  const calls = Object.fromEntries(SIMULATED_APIS.map((api) => [api, 0])) as Record<SimulatedApi, number>;
  const pending = new Map<SimulatedApi, Array<{ fault: Fault; remaining: number }>>();
  return {
    calls,
    count(api) {
      calls[api] += 1;
    },
    inject(api, fault, times) {
      if (!SIMULATED_APIS.includes(api)) throw new RangeError(`unknown simulated API "${String(api)}"`);
      const isTransport = typeof fault === 'string' && (TRANSPORT_FAULTS as readonly string[]).includes(fault);
      if (!isTransport && (!Number.isInteger(fault) || fault === 0)) {
        throw new RangeError(`failNext needs a non-zero integer errcode or one of ${TRANSPORT_FAULTS.join(', ')}`);
      }
      if (!Number.isInteger(times) || times < 1) throw new RangeError('failNext needs times >= 1');
      const queue = pending.get(api) ?? [];
      queue.push({ fault, remaining: times });
      pending.set(api, queue);
    },
    take(api) {
      const queue = pending.get(api);
      const head = queue?.[0];
      if (!queue || !head) return undefined;
      head.remaining -= 1;
      if (head.remaining === 0) queue.shift();
      return head.fault;
    },
  };
}
