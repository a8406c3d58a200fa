/**
 * Call counters and fault injection for the simulated APIs. Counters include failed calls: they exist
 * to prove caching ("20 logins cost exactly 1 gettoken"), and a failed call costs WeCom quota too.
 */
import type { SimulatedApi } from './constants.js';
import { SIMULATED_APIS } from './constants.js';

export interface Faults {
  readonly calls: Readonly<Record<SimulatedApi, number>>;
  count(api: SimulatedApi): void;
  inject(api: SimulatedApi, errcode: number, times: number): void;
  /** The injected errcode for this call, if one is pending; consumes one injection. */
  take(api: SimulatedApi): number | undefined;
}

export function createFaults(): Faults {
  const calls = Object.fromEntries(SIMULATED_APIS.map((api) => [api, 0])) as Record<SimulatedApi, number>;
  const pending = new Map<SimulatedApi, Array<{ errcode: number; remaining: number }>>();
  return {
    calls,
    count(api) {
      calls[api] += 1;
    },
    inject(api, errcode, times) {
      if (!SIMULATED_APIS.includes(api)) throw new RangeError(`unknown simulated API "${String(api)}"`);
      if (!Number.isInteger(errcode) || errcode === 0) throw new RangeError('failNext needs a non-zero integer errcode');
      if (!Number.isInteger(times) || times < 1) throw new RangeError('failNext needs times >= 1');
      const queue = pending.get(api) ?? [];
      queue.push({ errcode, remaining: times });
      pending.set(api, queue);
    },
    take(api) {
      const queue = pending.get(api);
      const head = queue?.[0];
      if (!queue || !head) return undefined;
      head.remaining -= 1;
      if (head.remaining === 0) queue.shift();
      return head.errcode;
    },
  };
}
