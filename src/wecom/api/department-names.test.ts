/**
 * Department names against the simulator over real HTTP: names where the app may read them, the id
 * where it may not (60011, outside the visible scope), one department/get per department per TTL.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMemoryLogger } from '../../observability/log.js';
import { startSimulator, TEST_APPS, type SimulatorHarness } from '../../simulator/testing.test-helper.js';
import { WeComClient } from './client.js';
import { DEPARTMENT_NAME_TTL_MS, DepartmentNames } from './department-names.js';

let sim: SimulatorHarness;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

it('maps ids to names, falls back to the id outside the visible scope, and caches both for the TTL', async () => {
  let clock = 1_700_000_000_000;
  const client = new WeComClient({ endpoints: { apiBase: sim.base, timeoutMs: 5000 }, log: createMemoryLogger() });
  const names = new DepartmentNames(client, createMemoryLogger(), () => clock);

  expect(await names.names(TEST_APPS.a, [1, 2, 3])).toEqual(['总部', '研发部', '3']);
  expect(sim.simulator.calls['department/get']).toBe(3);

  expect(await names.names(TEST_APPS.a, [2, 1, 3])).toEqual(['研发部', '总部', '3']);
  expect(sim.simulator.calls['department/get']).toBe(3);

  clock += DEPARTMENT_NAME_TTL_MS + 1;
  await names.names(TEST_APPS.a, [2]);
  expect(sim.simulator.calls['department/get']).toBe(4);
});

it('falls back to the id without caching when WeCom is busy, and reads the name next time', async () => {
  const client = new WeComClient({
    endpoints: { apiBase: sim.base, timeoutMs: 5000 },
    log: createMemoryLogger(),
    busyRetryDelaysMs: [1, 1],
  });
  const names = new DepartmentNames(client, createMemoryLogger());
  sim.simulator.failNext('department/get', -1, 3);
  expect(await names.names(TEST_APPS.b, [2])).toEqual(['2']);
  expect(await names.names(TEST_APPS.b, [2])).toEqual(['研发部']);
});
