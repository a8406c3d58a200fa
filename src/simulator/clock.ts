/**
 * The simulator's clock: the host clock plus an offset that tests can advance, so that code, ticket
 * and token expiry can be exercised without waiting (or faking timers in the server under test).
 */
export interface SimulatorClock {
  now(): number;
  advance(ms: number): void;
}

export function createClock(source: () => number = Date.now): SimulatorClock {
  let offset = 0;
  return {
    now: () => source() + offset,
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advanceClock takes a non-negative number of milliseconds');
      offset += ms;
    },
  };
}
